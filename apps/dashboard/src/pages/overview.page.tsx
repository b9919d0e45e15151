/** The cluster at a glance: TaskManagers, slots (with their use over time) and jobs. */
import { useEffect, useState } from 'preact/hooks';
import { fmtDuration } from '../format';
import { usePoll } from '../hooks';
import type { JobOverview, Overview } from '../types';
import { addSample, type Sampled, TimeChart } from '../components/time-chart';
import { Loaded, Section, Stat } from '../components/ui';
import { JobsTable } from './jobs.page';

export function OverviewPage() {
  const overview = usePoll<Overview>('overview');
  const jobs = usePoll<{ jobs: JobOverview[] }>('jobs/overview');
  const [slots, setSlots] = useState<Sampled>({ times: [], series: [
    { label: 'slots in use', values: [], colour: '#1864ab' },
    { label: 'slots total', values: [], colour: '#adb5bd' },
  ] });
  useEffect(() => {
    const o = overview.data;
    if (o) setSlots((s) => addSample(s, Date.now(), [o['slots-total'] - o['slots-available'], o['slots-total']]));
  }, [overview.data]);
  return (
    <div class="page" data-page="overview">
      <Loaded res={overview} what="Cluster overview">
        {(o) => (
          <div class="stats">
            <Stat label="TaskManagers" value={o.taskmanagers} testId="stat-taskmanagers" />
            <Stat label="Slots free / total" value={`${o['slots-available']} / ${o['slots-total']}`} testId="stat-slots" />
            <Stat label="Running jobs" value={o['jobs-running']} testId="stat-running" />
            <Stat label="Finished" value={o['jobs-finished']} />
            <Stat label="Cancelled" value={o['jobs-cancelled']} />
            <Stat label="Failed" value={o['jobs-failed']} />
            <Stat label="Version" value={o['runnel-version'] + (o['cluster-id'] ? ` · ${o['cluster-id']}` : '')} />
          </div>
        )}
      </Loaded>
      <Section title="Slots">
        <TimeChart data={slots} height={140} testId="slots-chart" />
      </Section>
      <Section title="Running jobs">
        <Loaded res={jobs} what="Jobs">
          {(j) => <JobsTable jobs={j.jobs.filter((x) => !isTerminal(x.state))} empty="No job is running." />}
        </Loaded>
      </Section>
      <Section title="Completed jobs">
        <Loaded res={jobs} what="Jobs">
          {(j) => <JobsTable jobs={j.jobs.filter((x) => isTerminal(x.state)).slice(0, 10)} empty="No job has completed yet." />}
        </Loaded>
      </Section>
    </div>
  );
}

export const TERMINAL_STATES = new Set(['FINISHED', 'CANCELED', 'FAILED', 'SUSPENDED']);
export const isTerminal = (state: string) => TERMINAL_STATES.has(state);
export const sinceStart = (j: JobOverview) => fmtDuration(j.duration);
