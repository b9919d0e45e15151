/**
 * The Outputs of the operators of a chain (a tree, see graph/operator-chain.ts). Inside the chain
 * a record is a plain call into the next operator; where edges leave the task it goes to their
 * RecordWriters (main and side outputs). An operator with several chained successors, or with
 * successors and edges, hands each record to all of them (Flink's broadcasting collector), by
 * reference: chained operators treat records as read-only. The common shapes keep their own
 * class, so a linear chain pays no loop per record.
 */
import { StreamElementType, type StreamElement } from '../../core/stream-element.types';
import type { Output, StreamOperator } from '../operator.types';
import type { RecordWriter } from './record-writer';
import type { CountingOutput } from '../metrics/task-io.metrics';

/** The network writers of one operator's out-edges. */
export interface OperatorWriters {
  readonly main: RecordWriter[];
  readonly side: ReadonlyMap<string, RecordWriter[]>;
  /** main and side: watermarks and watermark status go to every edge. */
  readonly all: RecordWriter[];
}

// Every output counts what passes (a field increment per record) for the task's metrics.

/** One chained successor, no edge leaves from this operator. */
export class ChainedOutput implements Output, CountingOutput {
  numRecordsOut = 0;
  lastWatermark = Number.NEGATIVE_INFINITY;
  constructor(private readonly next: StreamOperator) {}
  collect(value: unknown, timestamp: number): void {
    this.numRecordsOut++;
    this.next.processElement(value, timestamp, 0);
  }
  collectSide(): void {
    // No edge leaves from this operator and side outputs are never chained: nobody consumes it.
  }
  emitWatermark(watermark: number): void {
    this.lastWatermark = watermark;
    this.next.processWatermark(watermark);
  }
  emitWatermarkStatus(idle: boolean): void {
    this.next.processWatermarkStatus(idle);
  }
}

/** No chained successor: only the out-edges leaving from this operator (maybe none, e.g. a sink). */
export class TailOutput implements Output, CountingOutput {
  numRecordsOut = 0;
  lastWatermark = Number.NEGATIVE_INFINITY;
  private readonly main: RecordWriter[];
  private readonly side: ReadonlyMap<string, RecordWriter[]>;
  private readonly all: RecordWriter[];
  constructor(writers: OperatorWriters) {
    this.main = writers.main;
    this.side = writers.side;
    this.all = writers.all;
  }
  collect(value: unknown, timestamp: number): void {
    this.numRecordsOut++;
    const m = this.main;
    for (let i = 0; i < m.length; i++) m[i].emit(value, timestamp);
  }
  collectSide(tag: string, value: unknown, timestamp: number): void {
    // Side outputs are never chained: only edges can carry them.
    const ws = this.side.get(tag);
    this.numRecordsOut++;
    if (ws) for (let i = 0; i < ws.length; i++) ws[i].emit(value, timestamp);
  }
  emitWatermark(watermark: number): void {
    this.lastWatermark = watermark;
    broadcast(this.all, { type: StreamElementType.Watermark, timestamp: watermark });
  }
  emitWatermarkStatus(idle: boolean): void {
    broadcast(this.all, { type: StreamElementType.WatermarkStatus, idle });
  }
}

/** Several chained successors, or successors and out-edges: every record goes to each, then to the edges. */
export class BroadcastingOutput extends TailOutput {
  constructor(
    private readonly next: readonly StreamOperator[],
    writers: OperatorWriters,
  ) {
    super(writers);
  }
  override collect(value: unknown, timestamp: number): void {
    const n = this.next;
    for (let i = 0; i < n.length; i++) n[i].processElement(value, timestamp, 0);
    super.collect(value, timestamp);
  }
  override emitWatermark(watermark: number): void {
    for (const op of this.next) op.processWatermark(watermark);
    super.emitWatermark(watermark);
  }
  override emitWatermarkStatus(idle: boolean): void {
    for (const op of this.next) op.processWatermarkStatus(idle);
    super.emitWatermarkStatus(idle);
  }
}

function broadcast(writers: readonly RecordWriter[], el: StreamElement): void {
  for (const w of writers) w.broadcastElement(el);
}

/** The output of an operator with these chained successors and out-edges. */
export function chainOutput(next: readonly StreamOperator[], writers: OperatorWriters): Output & CountingOutput {
  if (next.length === 0) return new TailOutput(writers);
  if (next.length === 1 && writers.all.length === 0) return new ChainedOutput(next[0]);
  return new BroadcastingOutput(next, writers);
}
