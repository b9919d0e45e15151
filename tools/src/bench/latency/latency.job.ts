/**
 * The latency bench's job (bench-only; run embedded by latency.main.ts and submitted to a cluster
 * as this .ts file, which the client bundles): Nexmark q1 or q5, written like the examples, between
 * the stamping source (latency.source.ts) and the recording sink (latency.sink.ts).
 * Args: --query q1|q5, --events N, --rate R (event time), --seed S, --wall-rate R (0 = unthrottled),
 * --sample N (q1: stamp every N-th event), --checkpoint-interval MS, --output DIR (the logs; default <tmp>/runnel-latency-bench).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  SlidingEventTimeWindows,
  WatermarkStrategy,
  type AggregateFunction,
  type BidEvent,
  type Collector,
  type DataStream,
  type NexmarkEvent,
  type ProcessWindowFunction,
  type StreamExecutionEnvironment,
  type WindowContext,
} from '@runnel/dataflow';
import { Leaders } from '../bench.leaders';
import { LatencySink, type StampedRow, type WindowRow } from './latency.sink';
import { LatencySource, type Stamped } from './latency.source';

/** As examples/shared/nexmark.input.ts. */
export const MAX_OUT_OF_ORDERNESS_MS = 4_000;
/** Flink's default, set explicitly because the source replays the watermark rule with it. */
export const AUTO_WATERMARK_INTERVAL_MS = 200;
const WINDOW_MS = 10_000;
const SLIDE_MS = 2_000;
const DOLLAR_TO_EURO = 0.908;

export interface LatencyJobArgs {
  query: 'q1' | 'q5';
  events: number;
  rate: number;
  seed: number;
  wallRate: number;
  sample: number;
  checkpointInterval?: number;
  output: string;
}

export function parseLatencyJobArgs(args: readonly string[]): LatencyJobArgs {
  const { values } = parseArgs({
    args: [...args],
    options: {
      query: { type: 'string', default: 'q1' },
      events: { type: 'string', default: '100000' },
      rate: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '42' },
      'wall-rate': { type: 'string', default: '0' },
      sample: { type: 'string', default: '16' },
      'checkpoint-interval': { type: 'string' },
      output: { type: 'string' },
    },
    strict: true,
  });
  if (values.query !== 'q1' && values.query !== 'q5') throw new Error(`--query must be q1 or q5, got ${values.query}`);
  const num = (name: string, raw: string) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} expects a number >= 0, got '${raw}'`);
    return n;
  };
  return {
    query: values.query,
    events: num('events', values.events),
    rate: num('rate', values.rate),
    seed: num('seed', values.seed),
    wallRate: num('wall-rate', values['wall-rate']),
    sample: num('sample', values.sample),
    checkpointInterval: values['checkpoint-interval'] === undefined ? undefined : num('checkpoint-interval', values['checkpoint-interval']),
    // The dispatcher builds the graph of an uploaded artifact without the bench's args.
    output: values.output ?? join(tmpdir(), 'runnel-latency-bench'),
  };
}

const isBid = (e: NexmarkEvent): e is BidEvent => e.type === 'bid';
const countBids: AggregateFunction<BidEvent, number, number> = { createAccumulator: () => 0, add: (_b, n) => n + 1, getResult: (n) => n, merge: (a, b) => a + b };
const toRow: ProcessWindowFunction<number, WindowRow, number> = {
  process(auction: number, ctx: WindowContext, counts: readonly number[], out: Collector<WindowRow>): void {
    out.collect({ windowStart: ctx.window.start, windowEnd: ctx.window.end, auction, count: counts[0] });
  },
};

/** q1 as examples/nexmark-q1.ts, carrying the source stamp t. */
function q1(bids: DataStream<BidEvent>): DataStream<StampedRow> {
  return bids
    .map(
      (b: BidEvent): StampedRow => ({
        auction: b.auction,
        bidder: b.bidder,
        price: Math.round(b.price * DOLLAR_TO_EURO * 1000) / 1000,
        dateTime: b.dateTime,
        t: (b as unknown as Stamped).t,
      }),
    )
    .name('To Euro');
}

/** q5 as examples/nexmark-q5.ts. */
function q5(bids: DataStream<BidEvent>): DataStream<WindowRow> {
  return bids
    .keyBy((b: BidEvent) => b.auction)
    .window(SlidingEventTimeWindows.of(WINDOW_MS, SLIDE_MS))
    .aggregate(countBids, toRow)
    .name('Bids per Auction and Window')
    .keyBy((r: WindowRow) => r.windowStart)
    .process(new Leaders<WindowRow>())
    .name('Hottest Auctions');
}

export default async function main(env: StreamExecutionEnvironment, rawArgs: string[]): Promise<void> {
  const a = parseLatencyJobArgs(rawArgs);
  env.setAutoWatermarkInterval(AUTO_WATERMARK_INTERVAL_MS);
  if (a.checkpointInterval !== undefined && a.checkpointInterval > 0) env.enableCheckpointing(a.checkpointInterval);
  const source = new LatencySource({
    events: a.events,
    rate: a.rate,
    seed: a.seed,
    wallRate: a.wallRate,
    sampleEvery: a.query === 'q1' ? a.sample : 0,
    maxOutOfOrdernessMs: MAX_OUT_OF_ORDERNESS_MS,
    autoWatermarkIntervalMs: AUTO_WATERMARK_INTERVAL_MS,
    output: a.output,
  });
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<NexmarkEvent>(MAX_OUT_OF_ORDERNESS_MS).withTimestampAssigner((e: NexmarkEvent) => e.dateTime);
  const bids = env.fromSource(source, strategy, 'Stamping Nexmark Generator').filter(isBid).name('Bids') as unknown as DataStream<BidEvent>;
  if (a.query === 'q1') q1(bids).sinkTo(new LatencySink<StampedRow>('stamped', a.output), 'Latency Sink');
  else q5(bids).sinkTo(new LatencySink<WindowRow>('windows', a.output), 'Latency Sink');
  await env.execute(`latency bench ${a.query}`);
}
