/** Jobs, running and completed, with a state filter and a search on name and id. */
import { useState } from 'preact/hooks';
import { fmtDuration, fmtTime } from '../format';
import { usePoll } from '../hooks';
import type { JobOverview } from '../types';
import { Loaded, Section, StateBadge } from '../components/ui';
import { isTerminal } from './overview.page';

type Filter = 'all' | 'running' | 'completed' | 'failed';

export function JobsPage() {
  const jobs = usePoll<{ jobs: JobOverview[] }>('jobs/overview');
  const [filter, setFilter] = useState<Filter>('all');
  const [query, setQuery] = useState('');
  const keep = (j: JobOverview) =>
    (filter === 'all' || (filter === 'running' ? !isTerminal(j.state) : filter === 'failed' ? j.state === 'FAILED' : isTerminal(j.state))) &&
    (query === '' || j.name.toLowerCase().includes(query.toLowerCase()) || j.jid.includes(query.toLowerCase()));
  return (
    <div class="page" data-page="jobs">
      <Section
        title="Jobs"
        actions={
          <div class="filters">
            {(['all', 'running', 'completed', 'failed'] as Filter[]).map((f) => (
              <button key={f} class={filter === f ? 'chip active' : 'chip'} onClick={() => setFilter(f)} data-filter={f}>
                {f}
              </button>
            ))}
            <input type="search" placeholder="name or id" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} aria-label="filter jobs" />
          </div>
        }
      >
        <Loaded res={jobs} what="Jobs">
          {(j) => <JobsTable jobs={j.jobs.filter(keep)} empty="No job matches." />}
        </Loaded>
      </Section>
    </div>
  );
}

export function JobsTable({ jobs, empty }: { jobs: JobOverview[]; empty: string }) {
  if (jobs.length === 0) return <p class="muted">{empty}</p>;
  const sorted = [...jobs].sort((a, b) => b['start-time'] - a['start-time']);
  return (
    <table class="grid jobs-table">
      <thead>
        <tr>
          <th>name</th>
          <th>state</th>
          <th>started</th>
          <th>duration</th>
          <th>tasks</th>
          <th>job id</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((j) => (
          <tr key={j.jid} data-job-id={j.jid}>
            <td>
              <a href={`#/jobs/${j.jid}`}>{j.name}</a>
            </td>
            <td>
              <StateBadge state={j.state} />
            </td>
            <td>{fmtTime(j['start-time'])}</td>
            <td>{fmtDuration(j.duration)}</td>
            <td>
              <TaskBar tasks={j.tasks} />
            </td>
            <td class="mono">{j.jid}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const TASK_COLOURS: Record<string, string> = { running: '#1864ab', finished: '#2b8a3e', canceled: '#adb5bd', failed: '#c92a2a', deploying: '#f59f00', scheduled: '#ffd43b', initializing: '#fab005', created: '#dee2e6', canceling: '#868e96' };

function TaskBar({ tasks }: { tasks: Record<string, number> }) {
  const total = tasks?.['total'] ?? Object.entries(tasks ?? {}).reduce((n, [, v]) => n + v, 0);
  if (!total) return <span class="muted">–</span>;
  return (
    <span class="taskbar" title={Object.entries(tasks).filter(([k, v]) => k !== 'total' && v > 0).map(([k, v]) => `${v} ${k}`).join(', ')}>
      {Object.entries(tasks)
        .filter(([k, v]) => k !== 'total' && v > 0)
        .map(([k, v]) => (
          <span key={k} style={{ flexGrow: v, background: TASK_COLOURS[k.toLowerCase()] ?? '#ced4da' }}>
            {v}
          </span>
        ))}
    </span>
  );
}
