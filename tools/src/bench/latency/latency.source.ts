/**
 * The latency bench's source: the Nexmark generator (same events as the reference's
 * generateNexmarkEvents), throttled to a wall-clock rate, stamping wall time.
 *
 * - Throttle: reader i of n may have emitted (now − first poll) × wallRate ÷ n events; ahead of
 *   that it returns an empty batch (the task polls again within 5 ms). wallRate 0: unthrottled.
 * - q1 stamps: every `sampleEvery`-th event gets `t` = wall µs when the poll that emitted it had
 *   generated its batch (the others t = 0, so every event has the same shape); the sink subtracts
 *   it from its own clock.
 * - q5 watermark log: the source operator emits a watermark synchronously right after each
 *   poll (after pushing a batch's records through its chain, or after an empty poll):
 *   maxTimestamp − outOfOrderness − 1, when it advanced and at most once per auto-watermark
 *   interval of wall time (WatermarkGenerator). The reader sees neither, so it replays that rule
 *   as it returns the batch and logs its own clock: earlier than the real emission by the time
 *   the chain takes for one batch (µs; a filter here), so the latency is overstated by that much.
 *   If the interval's boundary falls inside that time, the real emission is one poll later than
 *   logged. End of input (the MAX watermark) is logged as null.
 * The log is written as JSON to `<output>/source-<subtask>.json` at the end of input.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Boundedness,
  NexmarkSource,
  type NexmarkEvent,
  type Source,
  type SourceReader,
  type SourceReaderContext,
} from '@runnel/dataflow';
import { wallMicros } from './wall-clock';

export interface LatencySourceOptions {
  readonly events: number;
  /** Event-time rate of the generator (events per second of event time). */
  readonly rate: number;
  readonly seed: number;
  /** Events per wall-clock second over all readers; 0 = as fast as the pipeline pulls. */
  readonly wallRate: number;
  /** Stamp every n-th event with `t` (q1); 0 = stamp none. */
  readonly sampleEvery: number;
  readonly maxOutOfOrdernessMs: number;
  readonly autoWatermarkIntervalMs: number;
  readonly output: string;
}

export interface SourceLog {
  readonly subtask: number;
  readonly events: number;
  /** Wall µs of the first poll and of the poll that found the end. */
  readonly firstPollUs: number;
  readonly endUs: number;
  /** [watermark, wall µs] in emission order; the last one is [null (= MAX), endUs]. */
  readonly watermarks: [number | null, number][];
}

export type Stamped = NexmarkEvent & { t: number };

class LatencySourceReader implements SourceReader<NexmarkEvent, number> {
  private readonly inner: SourceReader<NexmarkEvent, number>;
  private firstPollUs = 0;
  private emitted = 0;
  private maxTs = Number.NEGATIVE_INFINITY;
  private lastWm = Number.NEGATIVE_INFINITY;
  private lastWmAtMs = 0;
  private readonly watermarks: [number | null, number][] = [];
  private done = false;

  constructor(
    private readonly o: LatencySourceOptions,
    private readonly ctx: SourceReaderContext,
  ) {
    this.inner = new NexmarkSource({ events: o.events, rate: o.rate, seed: o.seed }).createReader(ctx);
  }

  /** Logs the watermark the source operator is about to emit after this poll, by its own rule. */
  private replayWatermark(): void {
    if (this.maxTs === Number.NEGATIVE_INFINITY) return;
    const wm = this.maxTs - this.o.maxOutOfOrdernessMs - 1;
    if (wm <= this.lastWm) return;
    const nowMs = Date.now(); // the clock WatermarkGenerator gates on
    if (this.o.autoWatermarkIntervalMs > 0 && nowMs - this.lastWmAtMs < this.o.autoWatermarkIntervalMs) return;
    this.lastWm = wm;
    this.lastWmAtMs = nowMs;
    this.watermarks.push([wm, wallMicros()]);
  }

  pollBatch(max: number): readonly NexmarkEvent[] | null {
    const now = wallMicros();
    if (this.firstPollUs === 0) this.firstPollUs = now;
    if (this.done) return null;
    let allowed = max;
    if (this.o.wallRate > 0) {
      const due = Math.floor(((now - this.firstPollUs) / 1e6) * (this.o.wallRate / this.ctx.parallelism)) + 1;
      allowed = Math.min(max, due - this.emitted);
      if (allowed <= 0) {
        this.replayWatermark();
        return [];
      }
    }
    const batch = this.inner.pollBatch(allowed) as NexmarkEvent[] | null;
    if (batch === null) {
      this.end(now);
      return null;
    }
    const every = this.o.sampleEvery;
    // Stamped once the batch is generated: the record leaves the source now.
    const stamp = every > 0 ? wallMicros() : 0;
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i];
      if (e.dateTime > this.maxTs) this.maxTs = e.dateTime;
      if (every > 0) (e as Stamped).t = (this.emitted + i) % every === 0 ? stamp : 0;
    }
    this.emitted += batch.length;
    this.replayWatermark();
    return batch;
  }

  private end(now: number): void {
    this.done = true;
    this.watermarks.push([null, now]);
    const log: SourceLog = { subtask: this.ctx.subtaskIndex, events: this.emitted, firstPollUs: this.firstPollUs, endUs: now, watermarks: this.watermarks };
    mkdirSync(this.o.output, { recursive: true });
    writeFileSync(join(this.o.output, `source-${this.ctx.subtaskIndex}.json`), JSON.stringify(log));
  }

  position(): number {
    return this.inner.position();
  }
  restore(position: number): void {
    // A restored reader would log only from here on; the bench fails a run whose logs miss events.
    this.inner.restore(position);
  }
}

export class LatencySource implements Source<NexmarkEvent, number> {
  readonly boundedness = Boundedness.Bounded;
  constructor(private readonly o: LatencySourceOptions) {}
  createReader(ctx: SourceReaderContext): SourceReader<NexmarkEvent, number> {
    return new LatencySourceReader(this.o, ctx);
  }
  describe(): Record<string, unknown> {
    return { type: 'latency-bench-nexmark', events: this.o.events, rate: this.o.rate, seed: this.o.seed, wallRate: this.o.wallRate };
  }
}
