/** The job's overview tab: the job graph, its vertices with records and bytes, and records per second over time. */
import { useEffect, useState } from 'preact/hooks';
import { fmtBytes, fmtDuration, fmtNumber } from '../format';
import { navigate } from '../hooks';
import type { JobDetails, PlanNode } from '../types';
import { JobGraph } from '../components/job-graph';
import { addSample, type Sampled, TimeChart } from '../components/time-chart';
import { Section, StateBadge } from '../components/ui';
import type { VertexLive } from '../components/vertex-live';

/** The plan's nodes; a job without a plan (an old stored one) still gets a node per vertex. */
export function planNodes(job: JobDetails): PlanNode[] {
  const nodes = job.plan?.nodes;
  if (nodes && nodes.length) return nodes;
  return job.vertices.map((v) => ({ id: v.id, parallelism: v.parallelism, operator: '', description: v.name }));
}

export function JobOverviewTab({ job, live }: { job: JobDetails; live: Map<string, VertexLive> }) {
  const [rates, setRates] = useState<Sampled>({ times: [], series: [
    { label: 'records in/s (all vertices)', values: [], colour: '#1864ab' },
    { label: 'records out/s (all vertices)', values: [], colour: '#2b8a3e' },
  ] });
  const rateAt = Math.max(0, ...[...live.values()].map((v) => v.rateAt ?? 0));
  useEffect(() => {
    if (rateAt === 0) return;
    const vs = [...live.values()];
    setRates((s) => addSample(s, rateAt, [vs.reduce((n, v) => n + (v.inRate ?? 0), 0), vs.reduce((n, v) => n + (v.outRate ?? 0), 0)]));
  }, [rateAt]);
  const nodes = planNodes(job);
  return (
    <>
      <Section title="Job graph" actions={<Legend />}>
        <JobGraph nodes={nodes} vertices={job.vertices} live={live} onSelect={(vid) => navigate('jobs', job.jid, 'subtasks', vid)} />
      </Section>
      <Section title="Records per second">
        <TimeChart data={rates} height={150} testId="rates-chart" />
      </Section>
      <Section title="Vertices">
        <table class="grid vertices-table">
          <thead>
            <tr>
              <th>name</th>
              <th>status</th>
              <th>parallelism</th>
              <th>records in</th>
              <th>records out</th>
              <th>bytes in</th>
              <th>bytes out</th>
              <th>in/s</th>
              <th>out/s</th>
              <th>duration</th>
            </tr>
          </thead>
          <tbody>
            {job.vertices.map((v) => (
              <tr key={v.id} data-vertex-id={v.id}>
                <td>
                  <a href={`#/jobs/${job.jid}/subtasks/${encodeURIComponent(v.id)}`}>{v.name}</a>
                </td>
                <td>
                  <StateBadge state={v.status} />
                </td>
                <td>{v.parallelism}</td>
                <td class="num" data-metric="read-records">{fmtNumber(v.metrics?.['read-records'])}</td>
                <td class="num" data-metric="write-records">{fmtNumber(v.metrics?.['write-records'])}</td>
                <td class="num">{fmtBytes(v.metrics?.['read-bytes'])}</td>
                <td class="num">{fmtBytes(v.metrics?.['write-bytes'])}</td>
                <td class="num">{fmtNumber(live.get(v.id)?.inRate)}</td>
                <td class="num">{fmtNumber(live.get(v.id)?.outRate)}</td>
                <td>{fmtDuration(v.duration)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {job.vertices.length === 0 && <p class="muted">The JobManager no longer holds this job: its vertices are not available.</p>}
      </Section>
    </>
  );
}

function Legend() {
  return (
    <span class="legend">
      <i style={{ background: 'hsl(210 70% 85%)' }} /> idle
      <i style={{ background: 'hsl(105 70% 85%)' }} /> half busy
      <i style={{ background: 'hsl(0 70% 85%)' }} /> busy
      <i class="bp" /> backpressured
    </span>
  );
}
