/** A JobMaster seen through Flink's REST shapes: /jobs/overview, /jobs/:id, /jobs/:id/exceptions, /jobs/:id/plan. */
import { ExecutionState, ExecutionStates, JobDetailsReply, JobExceptionsReply, Reply } from '@runnel/protocol';
import { toFlinkPlan } from '@runnel/dataflow';
import { Execution } from './execution-graph';
import { JobMaster } from './job-master';

const ALL_STATES = Object.values(ExecutionStates);

function counts(executions: readonly Execution[]): Record<ExecutionState, number> {
  const out = Object.fromEntries(ALL_STATES.map((s) => [s, 0])) as Record<ExecutionState, number>;
  for (const e of executions) out[e.state]++;
  return out;
}

/** Flink's aggregate state of a vertex: the most telling state of its subtasks. */
function aggregate(executions: readonly Execution[]): ExecutionState {
  const c = counts(executions);
  for (const s of ['FAILED', 'CANCELING', 'CANCELED', 'RUNNING', 'INITIALIZING', 'DEPLOYING', 'SCHEDULED'] as const) if (c[s] > 0) return s;
  return c.FINISHED === executions.length ? 'FINISHED' : 'CREATED';
}

function span(start: number | undefined, end: number | undefined, now: number) {
  const s = start ?? -1;
  const e = end ?? -1;
  return { 'start-time': s, 'end-time': e, duration: s < 0 ? -1 : (e < 0 ? now : e) - s };
}

export function jobDetails(job: JobMaster, now: number): Reply<JobDetailsReply> {
  const vertices = job.graph.jobVertices.map(({ vertex, executions }) => {
    const starts = executions.map((e) => e.timestamps.DEPLOYING).filter((t): t is number => t !== undefined);
    const ended = executions.every((e) => ['FINISHED', 'CANCELED', 'FAILED'].includes(e.state));
    const ends = executions.map((e) => e.timestamps.FINISHED ?? e.timestamps.CANCELED ?? e.timestamps.FAILED ?? -1);
    const sum = (f: (e: Execution) => number) => executions.reduce((a, e) => a + f(e), 0);
    return {
      id: vertex.id,
      name: vertex.name,
      maxParallelism: vertex.maxParallelism,
      parallelism: vertex.parallelism,
      status: aggregate(executions),
      ...span(starts.length ? Math.min(...starts) : undefined, ended ? Math.max(...ends) : undefined, now),
      tasks: counts(executions),
      metrics: {
        'read-bytes': sum((e) => e.metrics.bytesIn),
        'read-bytes-complete': ended,
        'write-bytes': sum((e) => e.metrics.bytesOut),
        'write-bytes-complete': ended,
        'read-records': sum((e) => e.metrics.recordsIn),
        'read-records-complete': ended,
        'write-records': sum((e) => e.metrics.recordsOut),
        'write-records-complete': ended,
      },
      subtasks: executions.map((e) => ({
        subtask: e.subtaskIndex,
        status: e.state,
        attempt: job.graph.attempt,
        'taskmanager-id': e.slot?.resourceId ?? '(unassigned)',
        endpoint: e.slot?.address ?? '',
        ...span(e.timestamps.DEPLOYING, e.timestamps.FINISHED ?? e.timestamps.CANCELED ?? e.timestamps.FAILED, now),
      })),
    };
  });
  const ended = job.timestamps.FINISHED ?? job.timestamps.CANCELED ?? job.timestamps.FAILED;
  return {
    jid: job.jobId,
    name: job.name,
    state: job.status,
    ...span(job.timestamps.INITIALIZING, ended, now),
    now,
    timestamps: job.timestamps as Record<string, number>,
    vertices,
    'status-counts': counts(job.graph.executions()),
    plan: toFlinkPlan(job.jobGraph, job.jobId) as unknown as Record<string, unknown>,
    events: job.events.map((e) => ({ ...e })),
    ...(job.statusMessage ? { statusMessage: job.statusMessage } : {}),
  };
}

export function jobOverview(job: JobMaster, now: number): Record<string, unknown> {
  const ended = job.timestamps.FINISHED ?? job.timestamps.CANCELED ?? job.timestamps.FAILED;
  const c = counts(job.graph.executions());
  return {
    jid: job.jobId,
    name: job.name,
    state: job.status,
    ...span(job.timestamps.INITIALIZING, ended, now),
    'last-modification': Math.max(...Object.values(job.timestamps).map(Number)),
    tasks: { total: job.graph.executions().length, ...Object.fromEntries(Object.entries(c).map(([k, v]) => [k.toLowerCase(), v])) },
  };
}

export function jobExceptions(job: JobMaster): Reply<JobExceptionsReply> {
  const root = job.exceptions[0];
  return {
    ...(root ? { 'root-exception': root.exception, timestamp: root.timestamp } : {}),
    'all-exceptions': job.exceptions.map((e) => ({ exception: e.exception, task: e.task ?? null, location: e.location ?? null, timestamp: e.timestamp })),
    truncated: false,
  };
}
