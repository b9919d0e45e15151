/**
 * The two Outputs of an operator chain: inside the chain a record is a plain call into the next
 * operator; at the tail it goes to the RecordWriters of the out-edges (main and side outputs).
 */
import { StreamElementType, type StreamElement } from '../../core/stream-element.types';
import type { Output, StreamOperator } from '../operator.types';
import type { RecordWriter } from './record-writer';
import type { CountingOutput } from '../metrics/task-io.metrics';

// Both outputs count what passes (a field increment per record) for the task's metrics.
export class ChainedOutput implements Output, CountingOutput {
  numRecordsOut = 0;
  lastWatermark = Number.NEGATIVE_INFINITY;
  constructor(private readonly next: StreamOperator) {}
  collect(value: unknown, timestamp: number): void {
    this.numRecordsOut++;
    this.next.processElement(value, timestamp, 0);
  }
  collectSide(): void {
    // Inside a chain only the tail's side outputs can have consumers (chaining rule), so drop.
  }
  emitWatermark(watermark: number): void {
    this.lastWatermark = watermark;
    this.next.processWatermark(watermark);
  }
  emitWatermarkStatus(idle: boolean): void {
    this.next.processWatermarkStatus(idle);
  }
}

export class TailOutput implements Output, CountingOutput {
  numRecordsOut = 0;
  lastWatermark = Number.NEGATIVE_INFINITY;
  constructor(
    private readonly main: RecordWriter[],
    private readonly side: ReadonlyMap<string, RecordWriter[]>,
    private readonly all: RecordWriter[],
  ) {}
  collect(value: unknown, timestamp: number): void {
    this.numRecordsOut++;
    const m = this.main;
    for (let i = 0; i < m.length; i++) m[i].emit(value, timestamp);
  }
  collectSide(tag: string, value: unknown, timestamp: number): void {
    const ws = this.side.get(tag);
    this.numRecordsOut++;
    if (ws) for (let i = 0; i < ws.length; i++) ws[i].emit(value, timestamp);
  }
  emitWatermark(watermark: number): void {
    this.lastWatermark = watermark;
    const el: StreamElement = { type: StreamElementType.Watermark, timestamp: watermark };
    for (const w of this.all) w.broadcastElement(el);
  }
  emitWatermarkStatus(idle: boolean): void {
    const el: StreamElement = { type: StreamElementType.WatermarkStatus, idle };
    for (const w of this.all) w.broadcastElement(el);
  }
}
