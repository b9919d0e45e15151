/**
 * A vertex's subtasks: where each runs, its state, attempt and records. From Flink's
 * `/jobs/:id/vertices/:vid` when the dispatcher has it (with per-subtask metrics), else from the
 * subtasks in `/jobs/:id`.
 */
import { fmtBytes, fmtDuration, fmtNumber, fmtTime } from '../format';
import { usePoll } from '../hooks';
import type { JobDetails, Subtask } from '../types';
import { Section, StateBadge } from '../components/ui';

export function JobSubtasksTab({ job, vertexId }: { job: JobDetails; vertexId?: string }) {
  const vertex = job.vertices.find((v) => v.id === vertexId) ?? job.vertices[0];
  const detail = usePoll<{ subtasks?: Subtask[] }>(vertex ? `jobs/${job.jid}/vertices/${encodeURIComponent(vertex.id)}` : null, 2000);
  if (!vertex) return <Section title="Subtasks">{'This job has no vertices the JobManager still holds.'}</Section>;
  const subtasks = detail.data?.subtasks ?? vertex.subtasks ?? [];
  return (
    <Section
      title={`Subtasks of ${vertex.name}`}
      actions={
        <span class="filters">
          {job.vertices.map((v) => (
            <a key={v.id} class={v.id === vertex.id ? 'chip active' : 'chip'} href={`#/jobs/${job.jid}/subtasks/${encodeURIComponent(v.id)}`}>
              {v.name}
            </a>
          ))}
        </span>
      }
    >
      {detail.notAvailable && <p class="muted small">Per-subtask metrics (GET /jobs/:id/vertices/:vid): not available on this cluster; showing the subtasks of the job.</p>}
      <table class="grid subtasks-table">
        <thead>
          <tr>
            <th>#</th>
            <th>status</th>
            <th>attempt</th>
            <th>TaskManager</th>
            <th>endpoint</th>
            <th>records in</th>
            <th>records out</th>
            <th>bytes in</th>
            <th>bytes out</th>
            <th>started</th>
            <th>duration</th>
          </tr>
        </thead>
        <tbody>
          {subtasks.map((s) => (
            <tr key={s.subtask}>
              <td>{s.subtask}</td>
              <td>
                <StateBadge state={s.status} />
              </td>
              <td>{s.attempt}</td>
              <td class="mono">
                <a href={`#/taskmanagers/${encodeURIComponent(s['taskmanager-id'])}`}>{s['taskmanager-id']}</a>
              </td>
              <td class="mono">{s.endpoint ?? s.host ?? '–'}</td>
              <td class="num">{fmtNumber(s.metrics?.['read-records'])}</td>
              <td class="num">{fmtNumber(s.metrics?.['write-records'])}</td>
              <td class="num">{fmtBytes(s.metrics?.['read-bytes'])}</td>
              <td class="num">{fmtBytes(s.metrics?.['write-bytes'])}</td>
              <td>{fmtTime(s['start-time'])}</td>
              <td>{fmtDuration(s.duration)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
