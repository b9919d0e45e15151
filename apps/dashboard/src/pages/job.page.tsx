/**
 * One job: its state, actions and tabs — the job graph with its vertices, subtasks, watermarks,
 * flame graphs, checkpoints, exceptions, configuration and the timeline of state changes.
 */
import { fmtDuration, fmtTime } from '../format';
import { usePoll } from '../hooks';
import type { JobDetails } from '../types';
import { Loaded, Section, StateBadge, Tabs } from '../components/ui';
import { useVertexLive } from '../components/vertex-live';
import { JobActions } from './job-actions';
import { JobOverviewTab } from './job-overview.tab';
import { JobSubtasksTab } from './job-subtasks.tab';
import { JobCheckpointsTab } from './job-checkpoints.tab';
import { JobExceptionsTab } from './job-exceptions.tab';
import { JobConfigTab } from './job-config.tab';
import { JobWatermarksTab } from './job-watermarks.tab';
import { JobTimelineTab } from './job-timeline.tab';
import { JobFlameGraphTab } from './job-flamegraph.tab';
import { isTerminal } from './overview.page';

const TABS: [string, string][] = [
  ['graph', 'Overview'],
  ['subtasks', 'Subtasks'],
  ['watermarks', 'Watermarks'],
  ['flamegraph', 'Flame graph'],
  ['checkpoints', 'Checkpoints'],
  ['exceptions', 'Exceptions'],
  ['config', 'Configuration'],
  ['timeline', 'Timeline'],
];

export function JobPage({ jobId, tab, arg }: { jobId: string; tab: string; arg?: string }) {
  const job = usePoll<JobDetails>(`jobs/${jobId}`, 1500);
  const running = !!job.data && !isTerminal(job.data.state);
  const live = useVertexLive(jobId, job.data, running);
  const current = TABS.some(([k]) => k === tab) ? tab : 'graph';
  return (
    <div class="page" data-page={`job-${current}`}>
      <Loaded res={job} what={`Job ${jobId}`}>
        {(j) => (
          <>
            <div class="job-head">
              <div>
                <h1>
                  {j.name} <StateBadge state={j.state} />
                </h1>
                <p class="muted mono">
                  {j.jid} · started {fmtTime(j['start-time'])} · {fmtDuration(j.duration)}
                  {j['end-time'] > 0 ? ` · ended ${fmtTime(j['end-time'])}` : ''}
                </p>
                {j.statusMessage && <p class="error small">{j.statusMessage}</p>}
              </div>
              <JobActions jobId={jobId} running={running} onDone={job.reload} />
            </div>
            <Tabs tabs={TABS} current={current} href={(t) => `#/jobs/${jobId}/${t}`} />
            {current === 'graph' && <JobOverviewTab job={j} live={live} />}
            {current === 'subtasks' && <JobSubtasksTab job={j} vertexId={arg} />}
            {current === 'watermarks' && <JobWatermarksTab job={j} live={live} />}
            {current === 'flamegraph' && <JobFlameGraphTab job={j} vertexId={arg} />}
            {current === 'checkpoints' && <JobCheckpointsTab jobId={jobId} running={running} checkpointId={arg} />}
            {current === 'exceptions' && <JobExceptionsTab jobId={jobId} />}
            {current === 'config' && <JobConfigTab jobId={jobId} />}
            {current === 'timeline' && <JobTimelineTab job={j} />}
          </>
        )}
      </Loaded>
      {job.notAvailable && <Section title="Job">{`No job ${jobId} on this cluster.`}</Section>}
    </div>
  );
}
