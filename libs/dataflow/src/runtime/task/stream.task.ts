/**
 * A Task runs one subtask of a JobVertex: its operator chain, fed either by a source reader or by
 * an InputGate, writing to one ResultPartitionWriter per out-edge. The loop pulls a batch, pushes
 * it through the chain with plain calls, lets every operator end the batch, flushes output
 * batches and waits for downstream capacity. The same class runs in the embedded executor and
 * (later) in a TaskManager slot; only the transports differ.
 */
import { MAX_WATERMARK, StreamElementType, END_OF_DATA, END_OF_PARTITION, type BarrierElement } from '../../core/stream-element.types';
import { InvalidParallelismError, MissingFunctionError } from '../../core/dataflow.errors';
import type { Source } from '../../connectors/source.types';
import { CheckpointingMode, type FunctionRegistry, type JobGraph, type JobVertex } from '../../graph/job-graph.types';
import { hasDeterministicInputOrder } from '../../graph/channel-layout';
import { createOperator } from '../operator.registry';
import type { StreamOperator } from '../operator.types';
import { chainOutput, type OperatorWriters } from './chain-outputs';
import { chainPredecessors, edgeSourceOperator } from '../../graph/operator-chain';
import type { OperatorStateSnapshot } from '../state/state-snapshot.types';
import { mergeKeyedState, orphanedOperatorStates } from '../state/state-redistribution';
import { SourceOperator, SourcePollResult } from '../operators/source.operator';
import type { InputGate, InputItem, ResultPartitionWriter } from './channel.types';
import { BarrierAligner } from './barrier-aligner';
import type { BarrierHandler } from './barrier-handler.types';
import { BarrierTracker } from './barrier-tracker';
import { DEFAULT_BUFFER_TIMEOUT_MS, RecordWriter } from './record-writer';
import { WatermarkValve } from './watermark-valve';
import { DEFAULT_AUTO_WATERMARK_INTERVAL_MS } from '../../time/watermark-strategy';
import { TaskIOMetrics } from '../metrics/task-io.metrics';
import { FinalCheckpointGate } from './final-checkpoint';
import '../operators';

/** How a subtask spent a checkpoint, in ms (Flink's per-subtask checkpoint statistics). */
export interface SnapshotTimings {
  /** From the first barrier of the checkpoint on any input to the last (0 for a source). */
  readonly alignmentDurationMs: number;
  /** From the barrier's injection at the source to its first arrival here. */
  readonly startDelayMs: number;
  /** Pre-barrier work excluded: the synchronous snapshot of the operators' state. */
  readonly syncDurationMs: number;
  /**
   * Bytes read from the inputs between the first barrier and the last (Flink's alignment
   * "processed"): the channels still without the barrier keep delivering. In-memory channels
   * count no bytes, so 0 there, as for a source.
   */
  readonly alignmentProcessedBytes: number;
}

export interface StreamTaskOptions {
  readonly jobGraph: JobGraph;
  readonly vertex: JobVertex;
  readonly subtaskIndex: number;
  readonly functions: FunctionRegistry;
  /** Absent for source vertices. */
  readonly inputGate?: InputGate;
  /** One writer per out-edge id of this vertex. */
  readonly outputs: ReadonlyMap<string, ResultPartitionWriter>;
  /** Buffer timeout when neither the job, the vertex nor the edge sets one (the TaskManager's BUFFER_TIMEOUT_MS). */
  readonly bufferTimeoutMs?: number;
  readonly batchSize?: number;
  readonly clock?: () => number;
  /**
   * State to restore: by operator uid, the snapshots of all subtasks of the previous run (any
   * parallelism). Keyed state is merged and filtered to this subtask's key groups; operator
   * state (e.g. a source position) is taken from the snapshot with the same subtask index.
   */
  readonly restoredState?: ReadonlyMap<string, readonly OperatorStateSnapshot[]>;
  /** Take a snapshot after finish() (savepoint at end of input; used for rescaling tests and tools). */
  readonly captureFinalState?: boolean;
  /** Called when this subtask has snapshotted its state for a checkpoint (after barrier alignment). */
  readonly onCheckpoint?: (checkpointId: number, state: OperatorStateSnapshot[], timings: SnapshotTimings) => void;
  /** Pause between polls of a source that has nothing right now (ms). */
  readonly idleSourcePollMs?: number;
  /**
   * How a task with input channels handles barriers: 'exactly-once' aligns them (blocks channels
   * that delivered the barrier), 'at-least-once' only counts them. Default: the JobGraph's
   * `config.checkpointing.mode`, else exactly-once.
   */
  readonly checkpointMode?: CheckpointingMode;
  /**
   * Identifies this run of the job across restarts (the cluster's job id). Sinks use it to derive
   * deterministic ids (e.g. JetStream dedup ids) when no restored state carries one.
   */
  readonly jobId?: string;
  /**
   * End with a final checkpoint (see final-checkpoint.ts): the cluster sets it when the job
   * checkpoints, so sinks commit their last output through a checkpoint, never at end of input.
   */
  readonly finalCheckpoint?: boolean;
  /** With finalCheckpoint: the input ended and no checkpoint is triggered yet; the cluster asks its coordinator for one. */
  readonly onAwaitingFinalCheckpoint?: (afterCheckpointId: number) => void;
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class StreamTask {
  readonly operators: StreamOperator[];
  private readonly writers: RecordWriter[] = [];
  private readonly partitionWriters: ResultPartitionWriter[] = [];
  private readonly batchSize: number;
  private readonly clock: () => number;
  /** When the first barrier of each checkpoint in alignment arrived (for its alignment and start-delay statistics). */
  private readonly barrierSeenAt = new Map<number, number>();
  /** numBytesIn when the first barrier of a checkpoint arrived (for alignmentProcessedBytes). */
  private readonly barrierSeenBytes = new Map<number, number>();
  private cancelled = false;
  private readonly name: string;
  private readonly pendingCheckpoints: number[] = [];
  private draining = false;
  private readonly final?: FinalCheckpointGate;
  /** Set after a successful run when captureFinalState was requested. */
  finalState?: OperatorStateSnapshot[];
  /** Flink's task and operator metrics of this subtask (snapshot() between or during batches). */
  readonly metrics: TaskIOMetrics;

  constructor(private readonly options: StreamTaskOptions) {
    const { vertex, jobGraph, subtaskIndex, functions } = options;
    this.batchSize = options.batchSize ?? 256;
    this.clock = options.clock ?? Date.now;
    this.name = `${vertex.name} (${subtaskIndex + 1}/${vertex.parallelism})`;
    if (options.finalCheckpoint) this.final = new FinalCheckpointGate();

    // The chain is a tree: each operator's out-edges and chained successors (operator-chain.ts).
    const predecessors = chainPredecessors(vertex);
    const opWriters = vertex.operators.map((): OperatorWriters & { side: Map<string, RecordWriter[]> } => ({ main: [], side: new Map(), all: [] }));
    for (const edge of jobGraph.edges) {
      if (edge.source !== vertex.id) continue;
      const pw = options.outputs.get(edge.id);
      if (!pw) throw new Error(`task ${this.name}: no partition writer for edge ${edge.id}`);
      const target = jobGraph.vertices.find((v) => v.id === edge.target)!;
      const selectors = functions.get(target.id)?.keySelectors;
      const keySelector = selectors?.[edge.targetInput] as ((v: unknown) => unknown) | undefined;
      if (edge.partitioner === 'hash' && !keySelector) throw new MissingFunctionError(target.id, 'key selector');
      const rw = new RecordWriter(pw, {
        partitioner: edge.partitioner,
        batchSize: this.batchSize,
        subtaskIndex,
        keySelector,
        targetMaxParallelism: target.maxParallelism,
        // The edge's own (an output of a branched chain), else its chain's, the job's, the TaskManager's.
        bufferTimeoutMs: edge.bufferTimeoutMs ?? vertex.bufferTimeoutMs ?? jobGraph.config.bufferTimeoutMs ?? options.bufferTimeoutMs ?? DEFAULT_BUFFER_TIMEOUT_MS,
      });
      this.writers.push(rw);
      this.partitionWriters.push(pw);
      const own = opWriters[edgeSourceOperator(vertex, edge)];
      own.all.push(rw);
      if (edge.sideOutputTag === undefined) own.main.push(rw);
      else {
        const list = own.side.get(edge.sideOutputTag) ?? [];
        list.push(rw);
        own.side.set(edge.sideOutputTag, list);
      }
    }

    this.operators = vertex.operators.map((d) => createOperator(d));
    const deterministicInputOrder = hasDeterministicInputOrder(jobGraph, vertex.id, subtaskIndex);
    const successors = this.operators.map((): StreamOperator[] => []);
    predecessors.forEach((p, i) => {
      if (p >= 0) successors[p].push(this.operators[i]);
    });
    const outs = this.operators.map((_, i) => chainOutput(successors[i], opWriters[i]));
    // What leaves the task: the operators with out-edges (a chain without any: its last operator).
    const leaving = opWriters.flatMap((w, i) => (w.all.length > 0 ? [i] : []));
    this.metrics = new TaskIOMetrics(this.operators, outs, this.operators[0] instanceof SourceOperator, {
      predecessors,
      taskOutputs: leaving.length > 0 ? leaving : [this.operators.length - 1],
    });
    this.operators.forEach((op, i) => {
      const d = vertex.operators[i];
      op.setup({
        descriptor: d,
        functions: functions.get(d.uid) ?? {},
        subtaskIndex,
        parallelism: vertex.parallelism,
        maxParallelism: vertex.maxParallelism,
        clock: this.clock,
        jobName: jobGraph.jobName,
        checkpointingEnabled: jobGraph.config.checkpointing !== undefined,
        deterministicInputOrder,
        autoWatermarkIntervalMs: jobGraph.config.autoWatermarkIntervalMs ?? DEFAULT_AUTO_WATERMARK_INTERVAL_MS,
        ...(options.jobId !== undefined ? { jobId: options.jobId } : {}),
        ...(options.finalCheckpoint ? { finalCheckpoint: true } : {}),
        output: outs[i],
      });
    });
  }

  get taskName(): string {
    return this.name;
  }

  async run(): Promise<void> {
    let primary: unknown;
    try {
      await this.runOperators();
    } catch (err) {
      primary = err;
    }
    // Close every operator even if one fails; a close error must not hide the original failure.
    let closeError: unknown;
    for (const op of this.operators) {
      try {
        await op.close();
      } catch (err) {
        closeError ??= err;
      }
    }
    for (const w of this.writers) w.close();
    if (primary !== undefined) throw primary;
    if (closeError !== undefined) throw closeError;
  }

  private async runOperators(): Promise<void> {
    const ops = this.operators;
    ops.forEach((op, i) => op.initializeState(this.restoredFor(i)));
    // Open from the end (the list is topological), so an operator never emits into one that is not
    // ready; finish from the head, so each operator finishes after its chained predecessor.
    for (let i = ops.length - 1; i >= 0; i--) await ops[i].open();
    if (ops[0] instanceof SourceOperator) await this.runSource(ops[0]);
    else await this.runInputs();
    if (this.cancelled) return;
    for (const op of ops) await op.finish();
    if (this.final) {
      // Downstream may finish now and take the same final checkpoint as this task, rather than
      // one after this task's end-of-partition (one checkpoint per stage, ~0.3-0.6 s each).
      for (const w of this.writers) w.broadcastElement(END_OF_DATA);
      await this.final.run({
        perform: (checkpointId, forward) => this.performCheckpoint({ type: StreamElementType.Barrier, checkpointId, timestamp: this.clock() }, forward),
        takeQueued: () => this.pendingCheckpoints.splice(0),
        requestCheckpoint: (after) => this.options.onAwaitingFinalCheckpoint?.(after),
        endOfPartition: () => this.writers.forEach((w) => w.broadcastElement(END_OF_PARTITION)),
      });
      if (this.cancelled) return;
    } else for (const w of this.writers) w.broadcastElement(END_OF_PARTITION);
    if (this.options.captureFinalState) this.finalState = this.snapshotState(Number.MAX_SAFE_INTEGER);
  }

  private restoredFor(index: number): OperatorStateSnapshot | undefined {
    const { vertex, subtaskIndex, functions } = this.options;
    const uid = vertex.operators[index].uid;
    const all = this.options.restoredState?.get(uid);
    if (!all || all.length === 0) return undefined;
    const keyed = all.some((s) => s.keyed) ? mergeKeyedState(all.map((s) => s.keyed)) : undefined;
    let operator = all.find((s) => s.subtaskIndex === subtaskIndex)?.operator;
    const rescaled = all.length !== vertex.parallelism || all.some((s) => s.subtaskIndex >= vertex.parallelism);
    if (rescaled && this.operators[index] instanceof SourceOperator) {
      // Source positions belong to the old readers: the source re-splits what is left.
      const source = functions.get(uid)?.source as Source<unknown> | undefined;
      if (!source?.redistributePositions)
        throw new InvalidParallelismError(vertex.operators[index].name, `source cannot be restored at parallelism ${vertex.parallelism} from a snapshot taken at parallelism ${all.length}`);
      const positions = [...all].sort((a, b) => a.subtaskIndex - b.subtaskIndex).map((s) => (s.operator as { position?: unknown } | undefined)?.position);
      operator = { position: source.redistributePositions(positions, vertex.parallelism)[subtaskIndex] };
    }
    // Operator state of old subtasks that no longer exist (scale-in) goes to a surviving subtask,
    // so e.g. a sink's pending transactions are still committed or cleaned up.
    const adopted = rescaled && !(this.operators[index] instanceof SourceOperator) ? orphanedOperatorStates(all, subtaskIndex, vertex.parallelism) : [];
    if (!keyed && operator === undefined && adopted.length === 0) return undefined;
    return {
      operatorUid: uid,
      subtaskIndex,
      ...(keyed ? { keyed } : {}),
      ...(operator !== undefined ? { operator } : {}),
      ...(adopted.length > 0 ? { adopted } : {}),
    };
  }

  /** Source tasks inject a barrier for `checkpointId` before their next batch; other tasks ignore it. */
  triggerCheckpoint(checkpointId: number): void {
    if (this.operators[0] instanceof SourceOperator) this.pendingCheckpoints.push(checkpointId);
    // Any task at the end of its input takes it directly (its inputs send no barrier any more).
    this.final?.triggered(checkpointId);
  }

  /**
   * Stop-with-savepoint --drain: a source task ends its input at the next batch boundary as if it
   * were bounded — checkpoints triggered before this call still go first, then the MAX watermark
   * (every event-time window fires) and end-of-partition, so the job finishes. Other tasks ignore
   * it (they finish when their inputs end).
   */
  drain(): void {
    if (this.operators[0] instanceof SourceOperator) this.draining = true;
  }

  /** The checkpoint completed everywhere: operators may commit what they prepared (2PC sinks). */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    for (const op of this.operators) await op.notifyCheckpointComplete?.(checkpointId);
    this.final?.completedUpTo(checkpointId);
  }

  /**
   * Pre-barrier work (sinks pre-commit: close part files, flush transactions), forward the
   * barrier behind the records before it, then snapshot and acknowledge.
   */
  private async performCheckpoint(barrier: BarrierElement, forward = true): Promise<void> {
    this.final?.performed(barrier.checkpointId);
    for (const op of this.operators) {
      if (op.prepareSnapshotPreBarrier) {
        const p = op.prepareSnapshotPreBarrier(barrier.checkpointId);
        if (p) await p;
      }
    }
    // Every record before the barrier goes to the partition writers before the acknowledgement:
    // a writer that stores asynchronously tells from this point what the checkpoint depends on.
    // The barrier follows them at once, before the snapshot and its encoding (Flink's order too):
    // downstream starts aligning while this task snapshots, instead of waiting out its snapshot,
    // and a consumer that has the barrier on one input but not yet on another blocks that input
    // for less time. Nothing is processed in between, so the snapshot is still the barrier's.
    for (const w of this.writers) {
      if (forward) w.broadcastElement(barrier);
      else w.flush();
    }
    const aligned = this.clock();
    const seen = this.barrierSeenAt.get(barrier.checkpointId) ?? aligned;
    const seenBytes = this.barrierSeenBytes.get(barrier.checkpointId);
    for (const id of this.barrierSeenAt.keys()) if (id <= barrier.checkpointId) this.barrierSeenAt.delete(id);
    for (const id of this.barrierSeenBytes.keys()) if (id <= barrier.checkpointId) this.barrierSeenBytes.delete(id);
    this.metrics.checkpointing(barrier.timestamp);
    const state = this.snapshotState(barrier.checkpointId);
    this.options.onCheckpoint?.(barrier.checkpointId, state, {
      alignmentDurationMs: aligned - seen,
      startDelayMs: Math.max(0, seen - barrier.timestamp),
      syncDurationMs: this.clock() - aligned,
      alignmentProcessedBytes: seenBytes === undefined ? 0 : Math.max(0, this.metrics.bytes()[0] - seenBytes),
    });
  }

  cancel(): void {
    this.cancelled = true;
    this.final?.cancel();
    this.options.inputGate?.abort();
    for (const pw of this.partitionWriters) pw.abort();
  }

  /** Snapshot of every operator of the chain; call between batches. */
  snapshotState(checkpointId: number): OperatorStateSnapshot[] {
    return this.operators.map((op) => op.snapshotState(checkpointId));
  }

  private async endBatch(): Promise<void> {
    for (const op of this.operators) {
      if (op.endBatch) {
        const p = op.endBatch();
        if (p) await p;
      }
    }
    for (const w of this.writers) w.endBatch();
    const pending = this.capacity();
    if (pending) {
      this.metrics.backPressureStart();
      await pending;
      this.metrics.backPressureEnd();
    }
  }

  private capacity(): Promise<unknown> | undefined {
    let pending: Promise<void>[] | undefined;
    for (const pw of this.partitionWriters) {
      const p = pw.awaitCapacity();
      if (p) (pending ??= []).push(p);
    }
    return pending ? Promise.all(pending) : undefined;
  }

  private nextTimer(): number | undefined {
    let next: number | undefined;
    for (const op of this.operators) {
      const t = op.nextProcessingTime?.();
      if (t !== undefined && (next === undefined || t < next)) next = t;
    }
    return next;
  }

  /** Fires due processing-time timers; returns ms until the next one (undefined: none). */
  private async fireProcessingTimers(): Promise<number | undefined> {
    const next = this.nextTimer();
    if (next === undefined) return undefined;
    const now = this.clock();
    if (next > now) return next - now;
    for (const op of this.operators) op.advanceProcessingTime?.(now);
    await this.endBatch();
    const after = this.nextTimer();
    return after === undefined ? undefined : Math.max(0, after - this.clock());
  }

  private async runSource(source: SourceOperator): Promise<void> {
    const reader = source.sourceReader;
    let sinceYield = 0;
    while (!this.cancelled) {
      while (this.pendingCheckpoints.length)
        await this.performCheckpoint({ type: StreamElementType.Barrier, checkpointId: this.pendingCheckpoints.shift()!, timestamp: this.clock() });
      if (this.draining) {
        // After the checkpoints above (a savepoint precedes the end of input), before any new record.
        source.endInput();
        return;
      }
      const wait = await this.fireProcessingTimers();
      let batch = reader.pollBatch(this.batchSize);
      if (batch && typeof (batch as Promise<unknown>).then === 'function') {
        this.metrics.idleStart();
        batch = await batch;
        this.metrics.idleEnd();
      }
      if (this.cancelled) return;
      const r = source.emitBatch(batch as readonly unknown[] | null);
      if (r === SourcePollResult.End) return;
      await this.endBatch();
      if (r === SourcePollResult.Empty) {
        this.metrics.idleStart();
        await sleep(Math.min(wait ?? Infinity, this.options.idleSourcePollMs ?? 5));
        this.metrics.idleEnd();
        sinceYield = 0;
      } else if (++sinceYield >= 16) {
        // Sync readers never await: give other tasks of this event loop a turn.
        sinceYield = 0;
        await nextTick();
      }
    }
  }

  private async runInputs(): Promise<void> {
    const gate = this.options.inputGate!;
    const head = this.operators[0];
    let ended = 0;
    const valve = new WatermarkValve(
      gate.numberOfChannels,
      (wm) => head.processWatermark(wm),
      (idle) => head.processWatermarkStatus(idle),
    );
    const metrics = this.metrics;
    metrics.attachInputs(valve, gate);
    // An aligned barrier is acted on after the current element's endBatch (sinks have written
    // everything before it), and before any replayed element after it.
    let aligned: BarrierElement | undefined;
    const mode = this.options.checkpointMode ?? this.options.jobGraph.config.checkpointing?.mode ?? CheckpointingMode.ExactlyOnce;
    const onAligned = (barrier: BarrierElement) => (aligned = barrier);
    const aligner: BarrierHandler =
      mode === CheckpointingMode.AtLeastOnce ? new BarrierTracker(gate.numberOfChannels, onAligned) : new BarrierAligner(gate.numberOfChannels, onAligned);
    let sinceYield = 0;
    // Channels past end-of-data: what follows there (the producer's final barrier and
    // end-of-partition) is dropped; this task takes its final checkpoint from the trigger.
    const dataEnded = new Uint8Array(gate.numberOfChannels);
    while (!this.cancelled && (ended < gate.numberOfChannels || aligner.hasReplay())) {
      const wait = await this.fireProcessingTimers();
      // Elements buffered during a barrier alignment go first.
      let item: InputItem | undefined = aligner.nextReplay();
      if (!item) {
        const polled = gate.next(wait);
        if (typeof (polled as Promise<unknown>).then === 'function') {
          sinceYield = 0;
          metrics.idleStart();
          item = await polled;
          metrics.idleEnd();
          if (!item) continue;
        } else {
          item = polled as InputItem;
          if (++sinceYield >= 64) {
            sinceYield = 0;
            await nextTick();
          }
        }
      }
      if (dataEnded[item.channel] === 1 || !aligner.accept(item)) continue;
      const { channel, element } = item;
      metrics.elementOn(channel);
      switch (element.type) {
        case StreamElementType.Records: {
          const input = gate.inputOf(channel);
          const { values, timestamps } = element;
          metrics.numRecordsIn += values.length;
          if (head.processBatch !== undefined) head.processBatch(values, timestamps, input);
          else for (let i = 0; i < values.length; i++) head.processElement(values[i], timestamps[i], input);
          break;
        }
        case StreamElementType.Watermark:
          valve.inputWatermark(channel, element.timestamp);
          break;
        case StreamElementType.WatermarkStatus:
          valve.inputStatus(channel, element.idle);
          break;
        case StreamElementType.EndOfData:
        case StreamElementType.EndOfPartition:
          if (element.type === StreamElementType.EndOfData) dataEnded[channel] = 1;
          ended++;
          valve.endOfPartition(channel);
          aligner.onEndOfPartition(channel);
          break;
        case StreamElementType.Barrier:
          if (!this.barrierSeenAt.has(element.checkpointId)) {
            this.barrierSeenAt.set(element.checkpointId, this.clock());
            this.barrierSeenBytes.set(element.checkpointId, metrics.bytes()[0]);
          }
          for (const w of this.writers) w.flush();
          metrics.barrierArrived(element.timestamp);
          aligner.onBarrier(channel, element);
          break;
      }
      await this.endBatch();
      if (aligned) {
        await this.performCheckpoint(aligned);
        aligned = undefined;
      }
    }
    if (!this.cancelled && valve.currentWatermark < MAX_WATERMARK && ended === gate.numberOfChannels) head.processWatermark(MAX_WATERMARK);
  }
}
