/**
 * Runs a JobGraph inside this process: one async task loop per subtask, in-process channels of
 * bounded capacity between them. Resolves when every task finished (bounded sources), rejects
 * with a JobExecutionError whose cause is the first task failure, and cancels the rest.
 */
import { randomUUID } from 'node:crypto';
import { CheckpointDeclinedError, JobCancelledError, JobExecutionError } from '../core/dataflow.errors';
import { jobGraphHash, type BuiltJob } from '../graph/job-graph.builder';
import { InProcessChannelFactory } from '../runtime/task/in-process.channel';
import { wireSubtask } from '../runtime/task/subtask-wiring';
import { StreamTask } from '../runtime/task/stream.task';
import { CheckpointTracker, checkpointSettings } from '../runtime/checkpoint/checkpoint.tracker';
import type { OperatorStateSnapshot } from '../runtime/state/state-snapshot.types';
import type { CompletedCheckpoint, ExecutorOptions, JobClient, JobExecutionResult, JobExecutor } from './job-executor.types';

export interface EmbeddedSubmitOptions extends ExecutorOptions {
  /** Restored state by operator uid: all subtasks' snapshots (key groups are picked per subtask). */
  readonly restoredState?: ReadonlyMap<string, readonly OperatorStateSnapshot[]>;
  /** Snapshot every operator after its input ended; returned as `finalState` (by uid, all subtasks). */
  readonly captureFinalState?: boolean;
  /** Handed to tasks and sink writers (default: a random UUID per submit). */
  readonly jobId?: string;
}

export class EmbeddedExecutor implements JobExecutor {
  submit(job: BuiltJob, options: EmbeddedSubmitOptions = {}): JobClient {
    const { jobGraph, functions } = job;
    const capacity = options.channelCapacity ?? 8;
    const started = Date.now();
    // Stable for this run; a restored run gets a new one (sinks keep what they need in their state).
    const jobId = options.jobId ?? randomUUID();

    // The shared subtask wiring; in-memory channels between the tasks of this process.
    const channels = new InProcessChannelFactory(jobGraph, capacity);

    const tasks: StreamTask[] = [];
    const taskIds: { vertexId: string; vertexName: string; subtaskIndex: number; operators: string[] }[] = [];
    const finished = new Set<StreamTask>();
    let failure: { error: unknown; task?: StreamTask } | undefined;
    let cancelled = false;
    const cancelAll = () => tasks.forEach((t) => t.cancel());
    const failJob = (error: unknown, task?: StreamTask) => {
      if (failure) return;
      failure = { error, task };
      cancelAll();
    };
    // The checkpoint core the JobManager uses too: periodic checkpoints when the job enables
    // them (a 2PC sink of an unbounded job commits on each), manual ones through the client.
    const checkpoints = new CheckpointTracker<OperatorStateSnapshot[], Map<string, OperatorStateSnapshot[]>, CompletedCheckpoint>(checkpointSettings(jobGraph), {
      clock: Date.now,
      // Every task takes part; once one ended (without a final checkpoint) or the job is ending, none can be taken.
      participants: () => (finished.size > 0 || failure || cancelled ? undefined : tasks.map((_, i) => String(i))),
      open: () => new Map(),
      dispatch: async (p) => {
        for (const t of tasks) t.triggerCheckpoint(p.id);
      },
      acknowledged: (p, snapshots) => {
        for (const s of snapshots) p.data.set(s.operatorUid, [...(p.data.get(s.operatorUid) ?? []), s]);
      },
      persist: async () => undefined,
      // Commit phase: tasks still running learn that the checkpoint is complete. A sink that
      // cannot commit fails the job, as a failing notifyCheckpointComplete fails its task in Flink.
      completed: async (p) => {
        await Promise.all(
          tasks
            .filter((t) => !finished.has(t))
            .map((t) =>
              t.notifyCheckpointComplete(p.id).catch((error: unknown) => {
                failJob(error, t);
                throw error;
              }),
            ),
        );
        return { checkpointId: p.id, state: p.data };
      },
      failed: (p, reason) => new CheckpointDeclinedError(p.id, reason),
      tooManyFailures: (reason) => failJob(new Error(reason)),
    });
    const ack = (taskIndex: number, checkpointId: number, snapshots: OperatorStateSnapshot[]) => {
      // A commit failure has failed the job already.
      void checkpoints.acknowledge(String(taskIndex), checkpointId, snapshots).catch(() => undefined);
    };
    for (const v of jobGraph.vertices) {
      for (let s = 0; s < v.parallelism; s++) {
        const { inputGate, outputs } = wireSubtask(jobGraph, v.id, s, channels);
        taskIds.push({ vertexId: v.id, vertexName: v.name, subtaskIndex: s, operators: v.operators.map((o) => o.name) });
        tasks.push(
          new StreamTask({
            jobGraph,
            vertex: v,
            subtaskIndex: s,
            functions,
            inputGate,
            outputs,
            batchSize: options.batchSize,
            clock: options.clock,
            restoredState: options.restoredState,
            captureFinalState: options.captureFinalState,
            jobId,
            onCheckpoint: ack.bind(null, tasks.length),
          }),
        );
      }
    }

    const runs = tasks.map((t, taskIndex) =>
      t
        .run()
        .catch((error: unknown) => failJob(error, t))
        .finally(() => {
          finished.add(t);
          // Without a final checkpoint here, a task that ended cannot complete one (not counted: ending is no failure).
          for (const id of checkpoints.waitingFor(String(taskIndex))) checkpoints.decline(id, `task ${t.taskName} ended before acknowledging`, false);
        }),
    );
    checkpoints.start();
    const result: Promise<JobExecutionResult> = Promise.all(runs).then(() => {
      checkpoints.stop('the job ended');
      if (failure) {
        const cause = failure.error;
        const msg = cause instanceof Error ? cause.message : String(cause);
        const where = failure.task ? ` in task ${failure.task.taskName}` : '';
        throw new JobExecutionError(`Job "${jobGraph.jobName}" failed${where}: ${msg}`, cause, failure.task?.taskName);
      }
      if (cancelled) throw new JobCancelledError(jobGraph.jobName);
      let finalState: Map<string, OperatorStateSnapshot[]> | undefined;
      if (options.captureFinalState) {
        finalState = new Map();
        for (const t of tasks) for (const s of t.finalState ?? []) finalState.set(s.operatorUid, [...(finalState.get(s.operatorUid) ?? []), s]);
      }
      return { jobName: jobGraph.jobName, jobGraphHash: jobGraphHash(jobGraph), netRuntimeMs: Date.now() - started, ...(finalState ? { finalState } : {}) };
    });
    return {
      jobName: jobGraph.jobName,
      result,
      triggerCheckpoint: async () => {
        const completed = await checkpoints.takeNow({ force: true });
        if (!completed) throw new CheckpointDeclinedError(checkpoints.nextCheckpointId, finished.size > 0 ? 'some tasks already finished' : 'the job is ending');
        return completed;
      },
      drain: () => {
        for (const t of tasks) t.drain();
        return result;
      },
      metrics: () => tasks.map((t, i) => ({ ...taskIds[i], snapshot: t.metrics.snapshot() })),
      cancel: async () => {
        cancelled = true;
        cancelAll();
        await Promise.allSettled([result]);
      },
    };
  }
}
