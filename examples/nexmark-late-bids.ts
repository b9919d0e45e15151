/**
 * Late bids: bids per auction in tumbling (or, with --slide, sliding) 10 s windows over an
 * out-of-order Nexmark stream, with allowed lateness and the late bids as a side output.
 *
 *   --out-of-orderness N   delay bids by up to N ms (the generator's outOfOrdernessMs, default 8000)
 *   --late-fraction f      share delayed beyond the job's 4 s watermark bound (default 0.05)
 *   --allowed-lateness L   ms a fired window keeps accepting bids, each one firing it again (default 2000)
 *   --late-output path     JSON Lines of the bids that came too late; without it they are dropped
 *
 * plus the arguments every example takes (--events --rate --seed --output --checkpoint-interval).
 * The source and the bid filter run at parallelism 1 so the window operators see one ordered input
 * and which bids are late does not depend on how parallel inputs interleave.
 */
import { parseArgs } from 'node:util';
import {
  NexmarkSource,
  OutputTag,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  type BidEvent,
  type Collector,
  type DataStream,
  type NexmarkEvent,
  type ProcessWindowFunction,
  type StreamExecutionEnvironment,
  type WindowContext,
} from '@runnel/dataflow';
import { parseExampleArgs } from './shared/job.args';
import { JsonLinesSink, isDirectoryOutput } from './shared/json-lines.sink';
import { applyCheckpointing, countBids, emitResults, isBid, MAX_OUT_OF_ORDERNESS_MS } from './shared/nexmark.input';

export interface LateCountRow {
  windowStart: number;
  windowEnd: number;
  auction: number;
  count: number;
}

export interface LateBidRow {
  auction: number;
  bidder: number;
  price: number;
  dateTime: number;
}

const WINDOW_MS = 10_000;

const toRow: ProcessWindowFunction<number, LateCountRow, number> = {
  process(auction: number, ctx: WindowContext, counts: readonly number[], out: Collector<LateCountRow>): void {
    out.collect({ windowStart: ctx.window.start, windowEnd: ctx.window.end, auction, count: counts[0] });
  },
};

const LATE_OPTIONS = {
  'out-of-orderness': { type: 'string' },
  'late-fraction': { type: 'string' },
  'allowed-lateness': { type: 'string' },
  'late-output': { type: 'string' },
  slide: { type: 'string' },
} as const;

/** Splits this job's own arguments from the ones every example takes. */
function splitArgs(raw: readonly string[]): { own: Record<string, string | undefined>; rest: string[] } {
  const own: Record<string, string | undefined> = {};
  const rest: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const name = raw[i].startsWith('--') ? raw[i].slice(2) : '';
    if (name in LATE_OPTIONS) own[name] = raw[++i];
    else rest.push(raw[i]);
  }
  // Validates the values' presence the usual way (a flag without its value is an error).
  parseArgs({ args: Object.entries(own).flatMap(([k, v]) => (v === undefined ? [`--${k}`] : [`--${k}`, v])), options: LATE_OPTIONS, strict: true });
  return { own, rest };
}

function numberOf(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`--${name} expects a number, got '${raw}'`);
  return n;
}

export default async function main(env: StreamExecutionEnvironment, rawArgs: string[]): Promise<void> {
  const { own, rest } = splitArgs(rawArgs);
  const args = parseExampleArgs(rest);
  applyCheckpointing(env, args);
  // A watermark after every source batch (not every 200 ms of wall time): which bids are late
  // then depends on the input alone, so the run can be compared with the lateness reference.
  env.setAutoWatermarkInterval(0);
  const source = new NexmarkSource({
    events: args.events,
    rate: args.rate,
    seed: args.seed,
    baseTime: args.baseTime,
    outOfOrdernessMs: numberOf('out-of-orderness', own['out-of-orderness'], 8000),
    watermarkBoundMs: MAX_OUT_OF_ORDERNESS_MS,
    lateFraction: numberOf('late-fraction', own['late-fraction'], 0.05),
  });
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<NexmarkEvent>(MAX_OUT_OF_ORDERNESS_MS).withTimestampAssigner((e: NexmarkEvent) => e.dateTime);
  const bids = env
    .fromSource(source, strategy, 'Nexmark Generator')
    .uid('nexmark-generator')
    .setParallelism(1)
    .filter(isBid)
    .name('Bids')
    .setParallelism(1) as unknown as DataStream<BidEvent>;
  const slide = own.slide === undefined ? undefined : numberOf('slide', own.slide, WINDOW_MS);
  const lateTag = new OutputTag<BidEvent>('late-bids');
  let windowed = bids
    .keyBy((b: BidEvent) => b.auction)
    .window(slide === undefined ? TumblingEventTimeWindows.of(WINDOW_MS) : SlidingEventTimeWindows.of(WINDOW_MS, slide))
    .allowedLateness(numberOf('allowed-lateness', own['allowed-lateness'], 2000));
  const lateOutput = own['late-output'];
  if (lateOutput !== undefined) windowed = windowed.sideOutputLateData(lateTag);
  const counts = windowed.aggregate(countBids, toRow).name('Bids per Auction and Window').uid('late-count');
  emitResults(counts, args);
  if (lateOutput !== undefined) {
    const late = counts
      .getSideOutput(lateTag)
      .map((b: BidEvent): LateBidRow => ({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime }))
      .name('Late Bids');
    const sink = late.sinkTo(new JsonLinesSink<LateBidRow>(lateOutput), 'Late Bids Sink').uid('late-bids-sink');
    if (!isDirectoryOutput(lateOutput)) sink.setParallelism(1);
  }
  await env.execute('Nexmark Late Bids');
}
