/**
 * The counters of one subtask, kept by its StreamTask without per-record cost: records are counted
 * by plain field increments in the chain's outputs and per batch at the input; time is measured
 * only around the awaits a task makes anyway (waiting for input = idle, waiting for downstream
 * capacity = back-pressured, the rest busy). snapshot() turns them into Flink's metrics, rates
 * computed against the previous snapshot.
 */
import type { StreamOperator } from '../operator.types';
import type { InputGate } from '../task/channel.types';
import type { WatermarkValve } from '../task/watermark-valve';
import { IDLE_INPUT_MS, OPERATOR_METRICS, TASK_METRICS, type TaskMetricSnapshot, type WatermarkHold, watermarkValue } from './metric-names';

/** What the chain's outputs count (the outputs of chain-outputs.ts implement it). */
export interface CountingOutput {
  readonly numRecordsOut: number;
  readonly lastWatermark: number;
}

const now = () => performance.now();
const T = Object.fromEntries(TASK_METRICS.map((n, i) => [n, i])) as Record<(typeof TASK_METRICS)[number], number>;
const O = Object.fromEntries(OPERATOR_METRICS.map((n, i) => [n, i])) as Record<(typeof OPERATOR_METRICS)[number], number>;

export class TaskIOMetrics {
  /** Records that entered the task (its head operator's input). */
  numRecordsIn = 0;
  /** Bytes in and out, from a serialising transport (in-memory channels count records only). */
  bytes: () => readonly [number, number] = () => [0, 0];
  lastCheckpointSize = 0;
  checkpointAlignmentNanos = 0;
  checkpointStartDelayNanos = 0;

  private idleMs = 0;
  private backPressuredMs = 0;
  private idleSince = -1;
  private backPressuredSince = -1;
  private readonly startedAt = now();
  private valve?: WatermarkValve;
  private gate?: InputGate;
  private lastElementAt: Float64Array = new Float64Array(0);
  private firstBarrierAt = -1;
  private prev = { at: this.startedAt, in: 0, out: 0, bytesIn: 0, bytesOut: 0, idle: 0, bp: 0, opsIn: [] as number[], opsOut: [] as number[] };

  private readonly predecessors: readonly number[];
  private readonly taskOutputs: readonly number[];

  constructor(
    private readonly operators: readonly StreamOperator[],
    /** outputs[i] is operator i's output. */
    private readonly outputs: readonly CountingOutput[],
    private readonly isSource: boolean,
    /**
     * The chain's shape (a tree): each operator's chained predecessor (-1: the head), and the
     * operators whose outputs leave the task. Default: a line whose last operator is the output.
     */
    chain?: { readonly predecessors: readonly number[]; readonly taskOutputs: readonly number[] },
  ) {
    this.predecessors = chain?.predecessors ?? operators.map((_, i) => i - 1);
    this.taskOutputs = chain?.taskOutputs ?? (operators.length ? [operators.length - 1] : []);
  }

  attachInputs(valve: WatermarkValve, gate: InputGate): void {
    this.valve = valve;
    this.gate = gate;
    this.lastElementAt = new Float64Array(gate.numberOfChannels).fill(now());
  }

  /** An element arrived on `channel` (once per batch, not per record). */
  elementOn(channel: number): void {
    this.lastElementAt[channel] = now();
  }

  idleStart(): void {
    this.idleSince = now();
  }
  idleEnd(): void {
    if (this.idleSince < 0) return;
    this.idleMs += now() - this.idleSince;
    this.idleSince = -1;
  }
  backPressureStart(): void {
    this.backPressuredSince = now();
  }
  backPressureEnd(): void {
    if (this.backPressuredSince < 0) return;
    this.backPressuredMs += now() - this.backPressuredSince;
    this.backPressuredSince = -1;
  }

  /** A barrier arrived; the first one of a checkpoint starts its alignment. */
  barrierArrived(triggeredAt: number): void {
    if (this.firstBarrierAt >= 0) return;
    this.firstBarrierAt = now();
    this.checkpointStartDelayNanos = Math.max(0, Date.now() - triggeredAt) * 1e6;
  }

  /** The task snapshots its state for a checkpoint: its alignment is over. */
  checkpointing(triggeredAt: number): void {
    if (this.firstBarrierAt < 0) {
      // A source: no alignment, the delay is from the trigger to the snapshot.
      this.checkpointStartDelayNanos = Math.max(0, Date.now() - triggeredAt) * 1e6;
      this.checkpointAlignmentNanos = 0;
    } else this.checkpointAlignmentNanos = (now() - this.firstBarrierAt) * 1e6;
    this.firstBarrierAt = -1;
  }

  /** Records that left the task: what its output operators emitted (each record once, however many edges). */
  get numRecordsOut(): number {
    let n = 0;
    for (const i of this.taskOutputs) n += this.outputs[i]?.numRecordsOut ?? 0;
    return n;
  }

  /** The lowest watermark the task's output operators emitted. */
  private outputWatermark(): number {
    if (this.taskOutputs.length === 0) return Number.NEGATIVE_INFINITY;
    let min = Number.POSITIVE_INFINITY;
    for (const i of this.taskOutputs) min = Math.min(min, this.outputs[i]?.lastWatermark ?? Number.NEGATIVE_INFINITY);
    return min;
  }

  snapshot(): TaskMetricSnapshot {
    const t = now();
    const dt = Math.max(1, t - this.prev.at);
    const perSecond = (delta: number) => (delta * 1000) / dt;
    const idle = this.idleMs + (this.idleSince >= 0 ? t - this.idleSince : 0);
    const bp = this.backPressuredMs + (this.backPressuredSince >= 0 ? t - this.backPressuredSince : 0);
    const [bytesIn, bytesOut] = this.bytes();
    const recordsOut = this.numRecordsOut;
    const idleRate = clampMs(perSecond(idle - this.prev.idle));
    const bpRate = clampMs(perSecond(bp - this.prev.bp));

    const task = new Array<number>(TASK_METRICS.length).fill(0);
    task[T.numRecordsIn] = this.numRecordsIn;
    task[T.numRecordsOut] = recordsOut;
    task[T.numBytesIn] = bytesIn;
    task[T.numBytesOut] = bytesOut;
    task[T.numRecordsInPerSecond] = perSecond(this.numRecordsIn - this.prev.in);
    task[T.numRecordsOutPerSecond] = perSecond(recordsOut - this.prev.out);
    task[T.numBytesInPerSecond] = perSecond(bytesIn - this.prev.bytesIn);
    task[T.numBytesOutPerSecond] = perSecond(bytesOut - this.prev.bytesOut);
    task[T.idleTimeMsPerSecond] = idleRate;
    task[T.backPressuredTimeMsPerSecond] = bpRate;
    task[T.busyTimeMsPerSecond] = clampMs(1000 - idleRate - bpRate);
    task[T.isBackPressured] = this.backPressuredSince >= 0 ? 1 : 0;
    task[T.currentInputWatermark] = watermarkValue(this.valve ? this.valve.currentWatermark : Number.NEGATIVE_INFINITY);
    task[T.currentOutputWatermark] = watermarkValue(this.outputWatermark());
    task[T.checkpointAlignmentTime] = this.checkpointAlignmentNanos;
    task[T.checkpointStartDelayNanos] = this.checkpointStartDelayNanos;
    task[T.lastCheckpointSize] = this.lastCheckpointSize;

    const opsIn: number[] = [];
    const opsOut: number[] = [];
    const ops = this.operators.map((op, i) => {
      const values = new Array<number>(OPERATOR_METRICS.length).fill(0);
      const out = this.outputs[i]?.numRecordsOut ?? 0;
      const p = this.predecessors[i] ?? i - 1;
      // The head counts what entered the task (a source: what its reader produced); any other
      // operator what its chained predecessor emitted.
      const inCount = p < 0 ? (this.isSource ? out : this.numRecordsIn) : (this.outputs[p]?.numRecordsOut ?? 0);
      opsIn.push(inCount);
      opsOut.push(out);
      values[O.numRecordsIn] = inCount;
      values[O.numRecordsOut] = out;
      values[O.numRecordsInPerSecond] = perSecond(inCount - (this.prev.opsIn[i] ?? 0));
      values[O.numRecordsOutPerSecond] = perSecond(out - (this.prev.opsOut[i] ?? 0));
      const inWm = p < 0 ? (this.valve ? this.valve.currentWatermark : Number.NEGATIVE_INFINITY) : (this.outputs[p]?.lastWatermark ?? Number.NEGATIVE_INFINITY);
      values[O.currentInputWatermark] = watermarkValue(inWm);
      values[O.currentOutputWatermark] = watermarkValue(this.outputs[i]?.lastWatermark ?? Number.NEGATIVE_INFINITY);
      values[O.currentInput1Watermark] = watermarkValue(p < 0 ? this.inputWatermark(0) : inWm);
      values[O.currentInput2Watermark] = watermarkValue(p < 0 ? this.inputWatermark(1) : Number.NEGATIVE_INFINITY);
      values[O.numLateRecordsDropped] = (op as { numLateRecordsDropped?: number }).numLateRecordsDropped ?? 0;
      return values;
    });
    const user = this.operators.map((op) => op.metricGroup?.snapshot() ?? {});
    this.prev = { at: t, in: this.numRecordsIn, out: recordsOut, bytesIn, bytesOut, idle, bp, opsIn, opsOut };
    const hold = this.hold(t);
    return { at: Date.now(), task, ops, user, ...(hold ? { hold } : {}) };
  }

  /** The minimum watermark over the channels of one logical input (idle ones excluded). */
  private inputWatermark(input: number): number {
    const valve = this.valve;
    const gate = this.gate;
    if (!valve || !gate) return Number.NEGATIVE_INFINITY;
    let min = Number.POSITIVE_INFINITY;
    let any = false;
    for (let c = 0; c < gate.numberOfChannels; c++) {
      if (gate.inputOf(c) !== input || valve.isIdle(c)) continue;
      any = true;
      min = Math.min(min, valve.channelWatermark(c));
    }
    return any ? min : Number.NEGATIVE_INFINITY;
  }

  /** The channel with the lowest watermark: the one holding this task's watermark back. */
  private hold(t: number): WatermarkHold | undefined {
    const valve = this.valve;
    const gate = this.gate;
    if (!valve || !gate || gate.numberOfChannels === 0) return undefined;
    let channel = -1;
    let min = Number.POSITIVE_INFINITY;
    for (let c = 0; c < gate.numberOfChannels; c++) {
      if (valve.isIdle(c)) continue;
      const wm = valve.channelWatermark(c);
      if (channel < 0 || wm < min) {
        channel = c;
        min = wm;
      }
    }
    // Every channel idle: the one silent the longest is named.
    if (channel < 0) {
      for (let c = 0; c < gate.numberOfChannels; c++) if (channel < 0 || this.lastElementAt[c] < this.lastElementAt[channel]) channel = c;
      min = valve.channelWatermark(channel);
    }
    if (min === Number.POSITIVE_INFINITY) return undefined; // every input ended
    const silentMs = Math.max(0, t - this.lastElementAt[channel]);
    return { channel, watermark: watermarkValue(min), idle: valve.isIdle(channel) || silentMs >= IDLE_INPUT_MS, silentMs: Math.round(silentMs) };
  }
}

function clampMs(v: number): number {
  return Math.max(0, Math.min(1000, Math.round(v)));
}
