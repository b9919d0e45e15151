/**
 * Runs the subtasks deployed into one slot (in the slot's worker thread): rebuilds the JobGraph
 * from the artifact (checking its hash against the deployed one), binds the vertex's functions by
 * operator uid, wires the task's input gate and output partitions with the subtask wiring the
 * embedded executor uses too (each channel through the transport SlotChannelFactory picks), runs
 * the dataflow StreamTask — the same operator runtime the embedded executor runs — and reports
 * its states.
 * JetStream and the checkpoint store are reached through an ExchangeIo: in a slot's worker, the
 * TaskManager's connection (the worker has none of its own).
 */
import type { CheckpointId, ExecutionAttemptId, JobId, TaskDeploymentDescriptor, TaskFailure, TaskMetrics } from '@runnel/protocol';
// Not the barrel: a slot worker loads this file, and the barrel loads NestJS (see slot-runtime.ts).
import { CheckpointIds, ClusterNamespace, type ExecutionState, ExecutionStates } from '@runnel/protocol/slot-runtime';
import type { OperatorStateSnapshot, SnapshotTimings } from '@runnel/dataflow';
import { Packr } from 'msgpackr';
import { getHeapStatistics } from 'node:v8';
import { LoadedJobGraph, StreamTask, assertJobGraphHash, buildJobGraph, loadJobModule, wireSubtask } from '@runnel/dataflow';
import type { ExchangeIo } from '../exchange/exchange-io.port';
import type { JetStreamEdgeReader } from '../exchange/jetstream-edge.reader';
import type { JetStreamPartitionWriter } from '../exchange/jetstream-partition.writer';
import type { LocalChannelReader } from '../exchange/local-channel.reader';
import { SameWorkerChannels } from '../exchange/same-worker.channel';
import { SlotChannelFactory } from '../exchange/slot-channel.factory';
import type { LocalPorts } from './local-channels';

export type Deployment = Omit<TaskDeploymentDescriptor, 'protocolVersion'>;

/** A task's checkpoint outcome: its state written (ack) or not (decline). */
export type CheckpointEvent =
  | {
      readonly type: 'ack'; readonly jobId: JobId; readonly executionAttemptId: ExecutionAttemptId; readonly checkpointId: CheckpointId; readonly handle: string; readonly size: number; readonly checksum: string;
      readonly timings?: SnapshotTimings & { readonly asyncDurationMs: number };
    }
  | { readonly type: 'decline'; readonly jobId: JobId; readonly executionAttemptId: ExecutionAttemptId; readonly checkpointId: CheckpointId; readonly reason: string }
  /** Not an outcome: the task's input ended and it waits for its final checkpoint. */
  | { readonly type: 'final'; readonly jobId: JobId; readonly executionAttemptId: ExecutionAttemptId; readonly afterCheckpointId?: number };

export interface TaskStateEvent {
  readonly jobId: JobId;
  readonly executionAttemptId: ExecutionAttemptId;
  readonly state: ExecutionState;
  readonly failure?: TaskFailure;
  readonly metrics?: TaskMetrics;
}

interface RunningTask {
  readonly deployment: Deployment;
  readonly task: StreamTask;
  readonly readers: JetStreamEdgeReader[];
  readonly localReaders: LocalChannelReader[];
  readonly writers: JetStreamPartitionWriter[];
  readonly done: Promise<void>;
  /** State writes of checkpoints this task took part in, not yet acknowledged or declined. */
  readonly snapshots: Set<Promise<void>>;
  cancelled: boolean;
}

const GATE_CAPACITY = 8;
/** Finished execution attempts remembered, so a late checkpoint trigger for one is not declined. */
const MAX_FINISHED_ATTEMPTS = 1024;

export class SlotTaskRunner {
  private readonly packr = new Packr({ useRecords: true });
  /** Channels between this worker's own subtasks (same slot): connected here, no port, no copy. */
  private readonly sameWorker = new SameWorkerChannels();
  private readonly graphs = new Map<string, Promise<LoadedJobGraph>>();
  private readonly tasks = new Map<ExecutionAttemptId, RunningTask>();
  private readonly finishedAttempts = new Set<ExecutionAttemptId>();
  private metricsTimer?: NodeJS.Timeout;
  /** The TaskManager's cluster: data subjects, consumers and the checkpoint bucket are in its namespace. */
  private readonly namespace: ClusterNamespace;

  constructor(
    private readonly io: ExchangeIo,
    private readonly report: (event: TaskStateEvent) => void,
    private readonly reportCheckpoint: (event: CheckpointEvent) => void = () => undefined,
    clusterId?: string,
    /** The TaskManager's BUFFER_TIMEOUT_MS: for jobs (and operators) that set none. */
    private readonly defaultBufferTimeoutMs?: number,
  ) {
    this.namespace = ClusterNamespace.of(clusterId);
  }

  /** Starts a subtask; resolves when it runs (its end is reported, not awaited). */
  async deploy(deployment: Deployment, artifactPath: string, ports: LocalPorts = { in: [], out: [] }): Promise<void> {
    const { executionAttemptId, jobId } = deployment;
    try {
      this.report({ jobId, executionAttemptId, state: ExecutionStates.Initializing });
      const loaded = await this.graph(deployment, artifactPath);
      const { jobGraph, functions } = loaded;
      const s = deployment.subtaskIndex;
      // The shared subtask wiring (dataflow); this slot chooses each channel's transport.
      const channels = new SlotChannelFactory({
        io: this.io, jobId, attempt: deployment.attempt, dataStream: deployment.dataStream, ports, sameWorker: this.sameWorker, names: this.namespace.data, gateCapacity: GATE_CAPACITY,
      });
      const { wiring, inputGate: gate, outputs } = wireSubtask(jobGraph, deployment.vertexId, s, channels);
      const { vertex } = wiring;
      const { readers, localReaders, writers } = channels;

      const restoredState = deployment.restore ? await this.restoredState(deployment.restore.handles) : undefined;
      const task = new StreamTask({
        jobGraph, vertex, subtaskIndex: s, functions, inputGate: gate, outputs, jobId,
        ...(deployment.checkpointMode ? { checkpointMode: deployment.checkpointMode } : {}),
        ...(restoredState ? { restoredState } : {}),
        ...(this.defaultBufferTimeoutMs !== undefined ? { bufferTimeoutMs: this.defaultBufferTimeoutMs } : {}),
        // A checkpointing job: each task ends with a final checkpoint its sinks commit through.
        ...(deployment.checkpointMode ? { finalCheckpoint: true, onAwaitingFinalCheckpoint: (afterCheckpointId: number) => this.reportCheckpoint({ type: 'final', jobId, executionAttemptId, afterCheckpointId }) } : {}),
        // StreamTask (libs/dataflow, no protocol) counts checkpoints in plain numbers: branded here, on their way out.
        onCheckpoint: (checkpointId, state, timings) => this.onSnapshot(deployment, writers, CheckpointIds.parse(checkpointId), state, timings),
      });
      // Bytes are what crossed a serialising channel (JetStream); in-process channels count records only.
      task.metrics.bytes = () => [readers.reduce((a, r) => a + r.bytesIn, 0), writers.reduce((a, w) => a + w.bytesOut, 0)];
      await Promise.all(readers.map((r) => r.start()));
      localReaders.forEach((r) => r.start());
      const running: RunningTask = { deployment, task, readers, localReaders, writers, cancelled: false, done: Promise.resolve(), snapshots: new Set() };
      this.tasks.set(executionAttemptId, running);
      this.report({ jobId, executionAttemptId, state: ExecutionStates.Running });
      this.startMetrics();
      (running as { done: Promise<void> }).done = this.run(running);
    } catch (error) {
      this.report({ jobId, executionAttemptId, state: ExecutionStates.Failed, failure: toFailure(error) });
    }
  }

  private async run(running: RunningTask): Promise<void> {
    const { jobId, executionAttemptId } = running.deployment;
    try {
      await running.task.run();
      // Finished means every record this task produced is stored for its consumers.
      await Promise.all(running.writers.map((w) => w.drain()));
      // A checkpoint's state is written after the task moved on (its asynchronous part): its ack
      // goes before FINISHED, else the JobMaster sees every task finished, ends the attempt and
      // drops that checkpoint — on a slow store (R3) a short job then never completes one.
      while (running.snapshots.size > 0) await Promise.allSettled([...running.snapshots]);
      if (running.cancelled) this.report({ jobId, executionAttemptId, state: ExecutionStates.Canceled, metrics: metrics(running) });
      else {
        this.rememberFinished(executionAttemptId);
        this.report({ jobId, executionAttemptId, state: ExecutionStates.Finished, metrics: metrics(running) });
      }
    } catch (error) {
      const state = running.cancelled ? ExecutionStates.Canceled : ExecutionStates.Failed;
      this.report({ jobId, executionAttemptId, state, metrics: metrics(running), ...(state === 'FAILED' ? { failure: toFailure(error) } : {}) });
    } finally {
      running.readers.forEach((r) => r.stop());
      running.localReaders.forEach((r) => r.stop());
      running.writers.forEach((w) => w.close());
      this.tasks.delete(executionAttemptId);
    }
  }

  /** A source task starts checkpoint `checkpointId` at its next batch boundary. */
  triggerCheckpoint(jobId: JobId, executionAttemptId: ExecutionAttemptId, checkpointId: CheckpointId): void {
    const running = this.tasks.get(executionAttemptId);
    // A task that finished (after its final checkpoint) before the JobManager heard of it: its
    // final state stands for it, which the JobManager takes when the FINISHED report arrives.
    if (!running && this.finishedAttempts.has(executionAttemptId)) return;
    if (!running) {
      this.reportCheckpoint({ type: 'decline', jobId, executionAttemptId, checkpointId, reason: 'the task is not running here' });
      return;
    }
    running.task.triggerCheckpoint(checkpointId);
  }

  private rememberFinished(executionAttemptId: ExecutionAttemptId): void {
    this.finishedAttempts.add(executionAttemptId);
    for (const old of this.finishedAttempts) {
      if (this.finishedAttempts.size <= MAX_FINISHED_ATTEMPTS) break;
      this.finishedAttempts.delete(old);
    }
  }

  /** Stop with --drain: the job's source tasks here end their input. */
  drain(jobId: JobId): void {
    for (const running of this.tasks.values()) if (running.deployment.jobId === jobId) running.task.drain();
  }

  /** Checkpoint `checkpointId` is complete: every task of the job here may commit what it covers. */
  notifyCheckpointComplete(jobId: JobId, checkpointId: CheckpointId): void {
    for (const running of this.tasks.values()) {
      if (running.deployment.jobId !== jobId) continue;
      const task = running.task as StreamTask & { notifyCheckpointComplete?: (id: number) => unknown };
      void Promise.resolve(task.notifyCheckpointComplete?.(checkpointId)).catch((error: Error) =>
        this.report({ jobId, executionAttemptId: running.deployment.executionAttemptId, state: ExecutionStates.Failed, failure: toFailure(error) }));
    }
  }

  /**
   * The task's state for a checkpoint, encoded at once (the task goes on changing its state) and
   * written to the checkpoint store in the background; the JobManager learns where it is.
   */
  private onSnapshot(d: Deployment, writers: readonly JetStreamPartitionWriter[], checkpointId: CheckpointId, state: OperatorStateSnapshot[], timings?: SnapshotTimings): void {
    const encodeStart = Date.now();
    // What the task published before this barrier: the acknowledgement waits until it is all
    // stored. Publishes are pipelined; one lost in a NATS outage is only reported later, and the
    // barrier after it may still reach the consumer, whose state would then miss those records.
    const marks = writers.map((w) => w.publishMark());
    let bytes: Uint8Array;
    try {
      bytes = this.packr.pack(state);
    } catch (error) {
      this.reportCheckpoint({ type: 'decline', jobId: d.jobId, executionAttemptId: d.executionAttemptId, checkpointId, reason: `state is not serialisable: ${(error as Error).message}` });
      return;
    }
    const output = Promise.all(writers.map((w, i) => w.storedUpTo(marks[i])));
    output.catch((error: Error) => {
      this.reportCheckpoint({ type: 'decline', jobId: d.jobId, executionAttemptId: d.executionAttemptId, checkpointId, reason: `output before the barrier was not stored: ${error.message}` });
      // The task cannot go on (its output has a gap); it may be idle, waiting for its final
      // checkpoint, so it is reported failed now. A cancel aborts the writers: not a failure.
      const running = this.tasks.get(d.executionAttemptId);
      if (running && !running.cancelled) this.report({ jobId: d.jobId, executionAttemptId: d.executionAttemptId, state: ExecutionStates.Failed, failure: toFailure(error) });
    });
    const snapshots = this.tasks.get(d.executionAttemptId)?.snapshots;
    const writing = Promise.all([this.io.writeState(d.jobId, checkpointId, d.vertexId, d.subtaskIndex, bytes), output]).then(
      ([written]) => {
        const task = this.tasks.get(d.executionAttemptId)?.task;
        if (task) task.metrics.lastCheckpointSize = written.size;
        this.reportCheckpoint({
          type: 'ack', jobId: d.jobId, executionAttemptId: d.executionAttemptId, checkpointId, ...written,
          // Encoding and writing happen after the task moved on: Flink's asynchronous part.
          ...(timings ? { timings: { ...timings, asyncDurationMs: Date.now() - encodeStart } } : {}),
        });
      },
      (error: Error) =>
        // A failed output was declined above.
        output.then(() => this.reportCheckpoint({ type: 'decline', jobId: d.jobId, executionAttemptId: d.executionAttemptId, checkpointId, reason: `writing state failed: ${error.message}` }), () => undefined),
    );
    snapshots?.add(writing);
    const settled = () => void snapshots?.delete(writing);
    writing.then(settled, settled);
  }

  /** Reads (and checks) every subtask's state of the vertex; the task picks and redistributes. */
  private async restoredState(handles: readonly { handle: string; checksum: string }[]): Promise<Map<string, OperatorStateSnapshot[]>> {
    const byUid = new Map<string, OperatorStateSnapshot[]>();
    for (const h of handles) {
      const snapshots = this.packr.unpack(await this.io.readState(h.handle, h.checksum)) as OperatorStateSnapshot[];
      for (const snapshot of snapshots) {
        const list = byUid.get(snapshot.operatorUid) ?? [];
        list.push(snapshot);
        byUid.set(snapshot.operatorUid, list);
      }
    }
    return byUid;
  }

  /** The task name (operator chain and subtask) of a subtask running here. */
  taskName(executionAttemptId: ExecutionAttemptId): string | undefined {
    return this.tasks.get(executionAttemptId)?.task.taskName;
  }

  async cancel(executionAttemptId: ExecutionAttemptId): Promise<void> {
    const running = this.tasks.get(executionAttemptId);
    if (!running) return;
    running.cancelled = true;
    running.task.cancel();
    running.readers.forEach((r) => r.stop());
    await running.done;
  }

  async cancelAll(): Promise<void> {
    await Promise.all([...this.tasks.keys()].map((id) => this.cancel(id)));
  }

  async close(): Promise<void> {
    await this.cancelAll();
    clearInterval(this.metricsTimer);
    await this.io.close().catch(() => undefined);
  }

  private startMetrics(): void {
    // Running tasks report their counters every second, so the job view shows progress.
    this.metricsTimer ??= setInterval(() => {
      for (const running of this.tasks.values()) {
        const { jobId, executionAttemptId } = running.deployment;
        this.report({ jobId, executionAttemptId, state: ExecutionStates.Running, metrics: metrics(running) });
      }
    }, 1000).unref();
  }

  /** One graph per artifact, arguments and parallelism: subtasks of a slot share it. */
  private graph(d: Deployment, artifactPath: string): Promise<LoadedJobGraph> {
    const key = JSON.stringify([artifactPath, d.programArgs, d.parallelism ?? null]);
    let graph = this.graphs.get(key);
    if (!graph) {
      graph = (async () => {
        const module = await loadJobModule(artifactPath);
        const loaded = await buildJobGraph(module, d.programArgs, d.parallelism ? { parallelism: d.parallelism } : {});
        assertJobGraphHash(loaded, d.jobGraphHash);
        return loaded;
      })();
      this.graphs.set(key, graph);
      graph.catch(() => this.graphs.delete(key));
    }
    return graph;
  }
}

function metrics(running: RunningTask): TaskMetrics {
  const heap = getHeapStatistics();
  return {
    snapshot: running.task.metrics.snapshot(),
    heapUsed: heap.used_heap_size,
    heapLimit: heap.heap_size_limit,
    recordsIn: running.readers.reduce((a, r) => a + r.recordsIn, 0) + running.localReaders.reduce((a, r) => a + r.recordsIn, 0),
    bytesIn: running.readers.reduce((a, r) => a + r.bytesIn, 0),
    recordsOut: running.writers.reduce((a, w) => a + w.recordsOut, 0),
    bytesOut: running.writers.reduce((a, w) => a + w.bytesOut, 0),
  };
}

/** The user's error as it happened: name, message and stack (with the user's frames). */
export function toFailure(error: unknown): TaskFailure {
  const root = error instanceof Error && error.cause instanceof Error && /DATAFLOW_|JobExecution/.test(String((error as { code?: string }).code ?? error.name)) ? error.cause : error;
  if (root instanceof Error) {
    return { name: root.name, message: root.message, ...(root.stack ? { stack: root.stack } : {}) };
  }
  return { message: String(root) };
}
