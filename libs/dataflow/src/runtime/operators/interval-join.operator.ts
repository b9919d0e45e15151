/**
 * Interval join of two keyed inputs: left a joins right b of the same key when
 * a.ts + lower ≤ b.ts ≤ a.ts + upper. Both sides are buffered in keyed state by timestamp and
 * dropped by event-time timers once the watermark guarantees no further match. Late records
 * (timestamp below the watermark) are dropped, as in Flink.
 */
import { DataflowError, DataflowErrorCode } from '../../core/dataflow.errors';
import { NO_TIMESTAMP } from '../../core/stream-element.types';
import type { ProcessJoinContext, ProcessJoinFunction } from '../../api/functions.types';
import { AbstractStreamOperator, TimestampedCollector } from '../abstract-stream.operator';
import type { StateTable } from '../state/keyed-state.backend';
import type { InternalTimer } from '../state/timer-heap';

export class IntervalJoinOperator extends AbstractStreamOperator {
  private f!: ProcessJoinFunction<unknown, unknown, unknown>;
  private lower = 0;
  private upper = 0;
  private buffers!: [StateTable, StateTable];
  private collector!: TimestampedCollector<unknown>;
  private leftTs = 0;
  private rightTs = 0;
  private jctx!: ProcessJoinContext;

  override open(): void {
    this.f = this.fn('fn');
    ({ lower: this.lower, upper: this.upper } = this.ctx.descriptor.config as { lower: number; upper: number });
    this.buffers = [this.backend!.table('interval-join-left', 'internal'), this.backend!.table('interval-join-right', 'internal')];
    const c = (this.collector = new TimestampedCollector(this.output));
    this.jctx = {
      leftTimestamp: () => this.leftTs,
      rightTimestamp: () => this.rightTs,
      timestamp: () => c.timestamp,
      output: (tag, value) => this.output.collectSide(tag.id, value, c.timestamp),
    };
  }

  processElement(value: unknown, timestamp: number, input: number): void {
    if (timestamp === NO_TIMESTAMP)
      throw new DataflowError(DataflowErrorCode.MissingWatermarks, `Interval join "${this.ctx.descriptor.name}" received a record without timestamp.`);
    if (timestamp < this.currentWatermark) return;
    this.setKeyContext(value, input);
    const own = this.buffers[input];
    const ns = String(timestamp);
    const list = own.get(ns) as unknown[] | undefined;
    if (list) list.push(value);
    else own.put([value], ns);

    // Range of the other side's timestamps that match this record.
    const [lo, hi] = input === 0 ? [timestamp + this.lower, timestamp + this.upper] : [timestamp - this.upper, timestamp - this.lower];
    const other = this.buffers[1 - input];
    for (const ons of other.namespaces()) {
      const ots = Number(ons);
      if (ots < lo || ots > hi) continue;
      for (const o of other.get(ons) as unknown[]) {
        if (input === 0) this.emit(value, o, timestamp, ots);
        else this.emit(o, value, ots, timestamp);
      }
    }
    // Keep the record until the watermark passes the last timestamp it can still match.
    const cleanup = input === 0 ? timestamp + Math.max(0, this.upper) : timestamp + Math.max(0, -this.lower);
    this.timers!.registerEventTimeTimer(`${input}:${ns}`, cleanup);
  }

  private emit(left: unknown, right: unknown, lts: number, rts: number): void {
    this.leftTs = lts;
    this.rightTs = rts;
    this.collector.timestamp = Math.max(lts, rts);
    this.f.processElement(left, right, this.jctx, this.collector);
  }

  override onEventTime(timer: InternalTimer): void {
    const side = Number(timer.namespace[0]);
    this.buffers[side].remove(timer.namespace.slice(2));
  }
}
