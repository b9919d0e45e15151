/**
 * A job's finer views in Flink's REST shapes: a vertex with its subtasks (JobVertexDetailsInfo),
 * one subtask attempt (SubtaskExecutionAttemptDetailsInfo), the subtasks' state times
 * (SubtasksTimesInfo), the vertex per TaskManager (JobVertexTaskManagersInfo), the execution
 * result, the job's configuration and the exception history (JobExceptionsInfoWithHistory).
 * Pure functions of a JobMaster: no I/O, unit-tested on a JobMaster directly.
 */
import { ExecutionState, ExecutionStates, JobStatuses, NotFoundError, TaskMetrics } from '@runnel/protocol';
import { Execution, ExecutionGraph, ExecutionJobVertex } from './execution-graph';
import { JobException, JobMaster } from './job-master';

const TERMINAL: readonly ExecutionState[] = [ExecutionStates.Finished, ExecutionStates.Canceled, ExecutionStates.Failed];
/** Flink's default of maxExceptions. */
const DEFAULT_MAX_EXCEPTIONS = 20;

function endOf(e: Execution): number | undefined {
  return e.timestamps.FINISHED ?? e.timestamps.CANCELED ?? e.timestamps.FAILED;
}

function span(start: number | undefined, end: number | undefined, now: number) {
  const s = start ?? -1;
  const e = end ?? -1;
  return { 'start-time': s, 'end-time': e, duration: s < 0 ? -1 : (e < 0 ? now : e) - s };
}

/** Flink's IOMetricsInfo; the accumulated times are the metrics sibling's (0 until TaskManagers report them). */
function ioMetrics(metrics: readonly TaskMetrics[], complete: boolean) {
  const sum = (f: (m: TaskMetrics) => number) => metrics.reduce((a, m) => a + f(m), 0);
  const extra = (key: string) => metrics.reduce((a, m) => a + Number((m as unknown as Record<string, unknown>)[key] ?? 0), 0);
  return {
    'read-bytes': sum((m) => m.bytesIn),
    'read-bytes-complete': complete,
    'write-bytes': sum((m) => m.bytesOut),
    'write-bytes-complete': complete,
    'read-records': sum((m) => m.recordsIn),
    'read-records-complete': complete,
    'write-records': sum((m) => m.recordsOut),
    'write-records-complete': complete,
    'accumulated-backpressured-time': extra('backPressuredTimeMs'),
    'accumulated-idle-time': extra('idleTimeMs'),
    'accumulated-busy-time': extra('busyTimeMs'),
  };
}

/** How long the execution spent in each state before the next (Flink's status-duration). */
function statusDurations(e: Execution, now: number): Record<string, number> {
  const order: ExecutionState[] = ['CREATED', 'SCHEDULED', 'DEPLOYING', 'INITIALIZING', 'RUNNING'];
  const out: Record<string, number> = {};
  for (const [i, state] of order.entries()) {
    const from = e.timestamps[state];
    if (from === undefined) {
      out[state] = -1;
      continue;
    }
    const later = [...order.slice(i + 1), 'FINISHED', 'CANCELING', 'CANCELED', 'FAILED'].map((s) => e.timestamps[s as ExecutionState]).filter((t): t is number => t !== undefined && t >= from);
    out[state] = (later.length ? Math.min(...later) : now) - from;
  }
  return out;
}

function host(e: Execution): string {
  const address = e.slot?.address ?? '';
  return address.replace(/^[a-z]+:\/\//, '').replace(/:\d+$/, '') || (e.slot?.resourceId ?? '(unassigned)');
}

export function vertexOf(job: JobMaster, vertexId: string, graph: ExecutionGraph = job.graph): ExecutionJobVertex {
  const v = graph.jobVertices.find((x) => x.vertex.id === vertexId);
  if (!v) throw new NotFoundError(`Vertex of job ${job.jobId}`, vertexId);
  return v;
}

/** SubtaskExecutionAttemptDetailsInfo. */
export function subtaskAttempt(e: Execution, attempt: number, now: number): Record<string, unknown> {
  return {
    subtask: e.subtaskIndex,
    status: e.state,
    attempt,
    endpoint: e.slot?.address ?? '(unassigned)',
    host: host(e),
    ...span(e.timestamps.DEPLOYING, endOf(e), now),
    start_time: e.timestamps.DEPLOYING ?? -1,
    metrics: ioMetrics([e.metrics], TERMINAL.includes(e.state)),
    'taskmanager-id': e.slot?.resourceId ?? '(unassigned)',
    'status-duration': statusDurations(e, now),
    'other-concurrent-attempts': [],
    ...(e.failure ? { 'failure-cause': e.failure.stack ?? e.failure.message } : {}),
  };
}

/** GET /jobs/:id/vertices/:vid — JobVertexDetailsInfo. */
export function vertexDetails(job: JobMaster, vertexId: string, now: number): Record<string, unknown> {
  const { vertex, executions } = vertexOf(job, vertexId);
  return {
    id: vertex.id,
    name: vertex.name,
    parallelism: vertex.parallelism,
    maxParallelism: vertex.maxParallelism,
    now,
    subtasks: executions.map((e) => subtaskAttempt(e, job.graph.attempt, now)),
  };
}

/** GET /jobs/:id/vertices/:vid/subtasks/:i[/attempts/:a]. */
export function subtaskDetails(job: JobMaster, vertexId: string, subtaskIndex: number, attempt: number | undefined, now: number): Record<string, unknown> {
  const graph = attempt === undefined || attempt === job.graph.attempt ? job.graph : job.priorAttempts.find((g) => g.attempt === attempt);
  if (!graph) throw new NotFoundError(`Attempt of job ${job.jobId}`, String(attempt));
  const e = vertexOf(job, vertexId, graph).executions[subtaskIndex];
  if (!e) throw new NotFoundError(`Subtask of vertex ${vertexId}`, String(subtaskIndex));
  return subtaskAttempt(e, graph.attempt, now);
}

/** GET /jobs/:id/vertices/:vid/subtasktimes — SubtasksTimesInfo. */
export function subtaskTimes(job: JobMaster, vertexId: string, now: number): Record<string, unknown> {
  const { vertex, executions } = vertexOf(job, vertexId);
  return {
    id: vertex.id,
    name: vertex.name,
    now,
    subtasks: executions.map((e) => ({
      subtask: e.subtaskIndex,
      host: host(e),
      endpoint: e.slot?.address ?? '(unassigned)',
      duration: span(e.timestamps.DEPLOYING, endOf(e), now).duration,
      timestamps: { ...e.timestamps },
    })),
  };
}

/** GET /jobs/:id/vertices/:vid/taskmanagers — JobVertexTaskManagersInfo. */
export function vertexTaskManagers(job: JobMaster, vertexId: string, now: number): Record<string, unknown> {
  const { vertex, executions } = vertexOf(job, vertexId);
  const byTm = new Map<string, Execution[]>();
  for (const e of executions) {
    const key = e.slot?.resourceId ?? '(unassigned)';
    byTm.set(key, [...(byTm.get(key) ?? []), e]);
  }
  return {
    id: vertex.id,
    name: vertex.name,
    now,
    taskmanagers: [...byTm].map(([resourceId, list]) => {
      const counts = Object.fromEntries(Object.values(ExecutionStates).map((s) => [s, list.filter((e) => e.state === s).length]));
      const starts = list.map((e) => e.timestamps.DEPLOYING).filter((t): t is number => t !== undefined);
      const ended = list.every((e) => TERMINAL.includes(e.state));
      const status = (['FAILED', 'CANCELING', 'CANCELED', 'RUNNING', 'INITIALIZING', 'DEPLOYING', 'SCHEDULED', 'FINISHED', 'CREATED'] as const).find((s) => counts[s] > 0) ?? 'CREATED';
      return {
        endpoint: list[0].slot?.address ?? '(unassigned)',
        host: host(list[0]),
        status,
        ...span(starts.length ? Math.min(...starts) : undefined, ended ? Math.max(...list.map((e) => endOf(e) ?? -1)) : undefined, now),
        metrics: ioMetrics(list.map((e) => e.metrics), ended),
        'status-counts': counts,
        'taskmanager-id': resourceId,
      };
    }),
  };
}

const APPLICATION_STATUS: Record<string, string> = {
  [JobStatuses.Finished]: 'SUCCEEDED',
  [JobStatuses.Failed]: 'FAILED',
  [JobStatuses.Canceled]: 'CANCELED',
};

/** GET /jobs/:id/execution-result — JobExecutionResultResponseBody. */
export function executionResult(job: JobMaster): Record<string, unknown> {
  if (!job.isTerminal()) return { status: { id: 'IN_PROGRESS' } };
  const start = job.timestamps.INITIALIZING ?? job.timestamps.CREATED ?? 0;
  const end = job.timestamps.FINISHED ?? job.timestamps.CANCELED ?? job.timestamps.FAILED ?? start;
  const root = job.exceptions[job.exceptions.length - 1];
  return {
    status: { id: 'COMPLETED' },
    'job-execution-result': {
      id: job.jobId,
      'application-status': APPLICATION_STATUS[job.status] ?? 'UNKNOWN',
      'accumulator-results': {},
      'net-runtime': end - start,
      ...(job.status === JobStatuses.Failed && root ? { 'failure-cause': { class: root.name ?? 'Error', 'stack-trace': root.exception, 'serialized-throwable': '' } } : {}),
    },
  };
}

/** GET /jobs/:id/config — JobConfigInfo. */
export function jobConfig(job: JobMaster): Record<string, unknown> {
  const config = job.jobGraph.config as unknown as Record<string, unknown>;
  const restart = job.restartStrategy.config as unknown as Record<string, unknown>;
  return {
    jid: job.jobId,
    name: job.name,
    'execution-config': {
      'execution-mode': 'PIPELINED',
      'restart-strategy': describeRestart(restart),
      'job-parallelism': Number(config['parallelism'] ?? 1),
      'object-reuse-mode': false,
      // What the program set beyond Flink's fields: its whole JobGraph configuration.
      'user-config': Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
    },
  };
}

function describeRestart(r: Record<string, unknown>): string {
  const rest = Object.entries(r).filter(([k]) => k !== 'type').map(([k, v]) => `${k}=${String(v)}`);
  return `${String(r['type'] ?? 'none')}${rest.length ? ` (${rest.join(', ')})` : ''}`;
}

/**
 * Flink's exceptionHistory: every failure, newest first, with its class, stack, task, TaskManager
 * and time; at most `maxExceptions` (truncated says whether more are kept).
 */
export function exceptionHistory(job: JobMaster, maxExceptions = DEFAULT_MAX_EXCEPTIONS): { entries: Record<string, unknown>[]; truncated: boolean } {
  const newestFirst = [...job.exceptions].reverse();
  const entry = (e: JobException) => ({
    exceptionName: e.name ?? e.exception.split(':')[0] ?? 'Error',
    stacktrace: e.exception,
    timestamp: e.timestamp,
    taskName: e.task ?? null,
    endpoint: e.endpoint ?? null,
    taskManagerId: e.location ?? null,
    location: e.location ?? null,
    failureLabels: {},
  });
  return {
    entries: newestFirst.slice(0, maxExceptions).map((e) => ({ ...entry(e), concurrentExceptions: (e.concurrent ?? []).map(entry) })),
    truncated: newestFirst.length > maxExceptions,
  };
}
