/**
 * Keyed process (one or two inputs): user function with keyed state, event/processing-time timers
 * and side outputs. Results of processElement carry the record's timestamp; results of an
 * event-time timer carry the timer's timestamp.
 */
import { NO_TIMESTAMP } from '../../core/stream-element.types';
import type { KeyedCoProcessFunction, KeyedProcessFunction, OnTimerContext, TimeDomain } from '../../api/functions.types';
import { AbstractStreamOperator, TimestampedCollector } from '../abstract-stream.operator';
import type { InternalTimer } from '../state/timer-heap';

type AnyKeyedFn = KeyedProcessFunction<unknown, unknown, unknown> & Partial<KeyedCoProcessFunction<unknown, unknown, unknown, unknown>>;

export class KeyedProcessOperator extends AbstractStreamOperator {
  private f!: AnyKeyedFn;
  private collector!: TimestampedCollector<unknown>;
  private kctx!: OnTimerContext<unknown>;
  private domain: TimeDomain = 'event-time';

  override open(): void {
    this.f = this.instance(this.fn('fn'));
    this.collector = new TimestampedCollector(this.output);
    const c = this.collector;
    const timerService = this.userTimerService();
    this.kctx = {
      timestamp: () => (c.timestamp === NO_TIMESTAMP ? undefined : c.timestamp),
      output: (tag, value) => this.output.collectSide(tag.id, value, c.timestamp),
      currentWatermark: () => this.currentWatermark,
      getCurrentKey: () => this.backend!.currentKey,
      timerService: () => timerService,
      timeDomain: () => this.domain,
    };
    this.f.open?.(this.runtimeContext());
  }

  processElement(value: unknown, timestamp: number, input: number): void {
    this.setKeyContext(value, input);
    this.collector.timestamp = timestamp;
    if (this.ctx.descriptor.inputs === 2) {
      if (input === 0) this.f.processElement1!(value, this.kctx, this.collector);
      else this.f.processElement2!(value, this.kctx, this.collector);
    } else this.f.processElement(value, this.kctx, this.collector);
  }

  override onEventTime(timer: InternalTimer): void {
    this.fire(timer, 'event-time', timer.timestamp);
  }
  override onProcessingTime(timer: InternalTimer): void {
    this.fire(timer, 'processing-time', NO_TIMESTAMP);
  }
  private fire(timer: InternalTimer, domain: TimeDomain, outTs: number): void {
    if (!this.f.onTimer) return;
    this.domain = domain;
    this.collector.timestamp = outTs;
    this.f.onTimer(timer.timestamp, this.kctx, this.collector);
  }

  override close(): void {
    this.f?.close?.();
  }
}
