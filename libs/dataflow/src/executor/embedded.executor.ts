/**
 * Runs a JobGraph inside this process: one async task loop per subtask, in-process channels of
 * bounded capacity between them. Resolves when every task finished (bounded sources), rejects
 * with a JobExecutionError whose cause is the first task failure, and cancels the rest.
 */
import { randomUUID } from 'node:crypto';
import { CheckpointDeclinedError, JobCancelledError, JobExecutionError } from '../core/dataflow.errors';
import { jobGraphHash, type BuiltJob } from '../graph/job-graph.builder';
import { inputChannels, outputChannels } from '../graph/channel-layout';
import { InProcessInputGate, InProcessPartitionWriter } from '../runtime/task/in-process.channel';
import type { ResultPartitionWriter } from '../runtime/task/channel.types';
import { StreamTask } from '../runtime/task/stream.task';
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

    // One gate per (vertex, subtask); channel numbering comes from the shared channel layout.
    const gates = new Map<string, InProcessInputGate[]>();
    for (const v of jobGraph.vertices) {
      if (!jobGraph.edges.some((e) => e.target === v.id)) continue;
      gates.set(
        v.id,
        Array.from({ length: v.parallelism }, (_, s) => new InProcessInputGate(inputChannels(jobGraph, v.id, s).map((c) => c.input), capacity)),
      );
    }

    const tasks: StreamTask[] = [];
    const taskIds: { vertexId: string; vertexName: string; subtaskIndex: number; operators: string[] }[] = [];
    interface PendingCheckpoint {
      acked: Set<number>;
      state: Map<string, OperatorStateSnapshot[]>;
      resolve: (c: CompletedCheckpoint) => void;
      reject: (e: Error) => void;
    }
    const pendingCheckpoints = new Map<number, PendingCheckpoint>();
    let nextCheckpointId = 1;
    const ack = (taskIndex: number, checkpointId: number, snapshots: OperatorStateSnapshot[]) => {
      const p = pendingCheckpoints.get(checkpointId);
      if (!p) return;
      for (const s of snapshots) p.state.set(s.operatorUid, [...(p.state.get(s.operatorUid) ?? []), s]);
      p.acked.add(taskIndex);
      if (p.acked.size === tasks.length) {
        pendingCheckpoints.delete(checkpointId);
        // Commit phase: tasks still running learn that the checkpoint is complete.
        void Promise.all(tasks.filter((t) => !finished.has(t)).map((t) => t.notifyCheckpointComplete(checkpointId))).then(
          () => p.resolve({ checkpointId, state: p.state }),
          (err: unknown) => p.reject(err instanceof Error ? err : new Error(String(err))),
        );
      }
    };
    const finished = new Set<StreamTask>();
    for (const v of jobGraph.vertices) {
      const outEdges = jobGraph.edges.filter((e) => e.source === v.id);
      for (let s = 0; s < v.parallelism; s++) {
        const outputs = new Map<string, ResultPartitionWriter>();
        for (const e of outEdges) {
          const targetGates = gates.get(e.target)!;
          const targets = outputChannels(jobGraph, e, s).map((c) => ({ gate: targetGates[c.targetSubtask], channel: c.gateChannel }));
          outputs.set(e.id, new InProcessPartitionWriter(targets));
        }
        taskIds.push({ vertexId: v.id, vertexName: v.name, subtaskIndex: s, operators: v.operators.map((o) => o.name) });
        tasks.push(
          new StreamTask({
            jobGraph,
            vertex: v,
            subtaskIndex: s,
            functions,
            inputGate: gates.get(v.id)?.[s],
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

    let failure: { error: unknown; task: StreamTask } | undefined;
    let cancelled = false;
    const cancelAll = () => tasks.forEach((t) => t.cancel());
    const runs = tasks.map((t, taskIndex) =>
      t
        .run()
        .catch((error: unknown) => {
          if (!failure) {
            failure = { error, task: t };
            cancelAll();
          }
        })
        .finally(() => {
          finished.add(t);
          for (const [id, p] of pendingCheckpoints) {
            if (p.acked.has(taskIndex)) continue;
            pendingCheckpoints.delete(id);
            p.reject(new CheckpointDeclinedError(id, `task ${t.taskName} ended before acknowledging`));
          }
        }),
    );
    const result: Promise<JobExecutionResult> = Promise.all(runs).then(() => {
      if (failure) {
        const cause = failure.error;
        const msg = cause instanceof Error ? cause.message : String(cause);
        throw new JobExecutionError(`Job "${jobGraph.jobName}" failed in task ${failure.task.taskName}: ${msg}`, cause, failure.task.taskName);
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
      triggerCheckpoint: () => {
        const checkpointId = nextCheckpointId++;
        if (finished.size > 0) return Promise.reject(new CheckpointDeclinedError(checkpointId, 'some tasks already finished'));
        return new Promise<CompletedCheckpoint>((resolve, reject) => {
          pendingCheckpoints.set(checkpointId, { acked: new Set(), state: new Map(), resolve, reject });
          for (const t of tasks) t.triggerCheckpoint(checkpointId);
        });
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
