/**
 * Late data on the embedded executor: the late-bids example over an out-of-order Nexmark stream,
 * compared with the lateness reference (on-time and late firings, late side output, dropped
 * count), at parallelism 1 and 4, with a watermark after every event and after every 256.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  generateNexmarkEvents,
  loadJobModule,
  OutputTag,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  type AggregateFunction,
  type Collector,
  type ProcessWindowFunction,
  type WindowContext,
} from '@runnel/dataflow';
import { compareRows, readJsonLinesOutput, referenceLateWindowCounts, type LatenessResult, type RefBid, type RefEvent } from './reference';

const EXAMPLE = resolve(__dirname, '../../examples/nexmark-late-bids.ts');
// 30 000 events at 500/s: 60 s of event time, delays up to 8 s (5 % beyond the job's 4 s bound).
const GENERATOR = { events: 30_000, rate: 500, seed: 21, outOfOrdernessMs: 8000, watermarkBoundMs: 4000, lateFraction: 0.05 };
const ALLOWED_LATENESS = 2000;
const ARGS = ['--events', '30000', '--rate', '500', '--seed', '21', '--late-fraction', '0.05'];
const TUMBLING_ARGS = [...ARGS, '--out-of-orderness', '8000', '--allowed-lateness', String(ALLOWED_LATENESS)];
// A bid is late only when its last sliding window is purged: that takes longer delays.
const SLIDING = { outOfOrdernessMs: 20_000, allowedLatenessMs: 1000, slideMs: 5000 };
const SLIDING_ARGS = [...ARGS, '--out-of-orderness', '20000', '--allowed-lateness', '1000', '--slide', '5000'];
const BOUND_MS = 4000; // the examples' watermark bound (MAX_OUT_OF_ORDERNESS_MS)
const DEFAULT_BATCH = 256; // records a source task polls per batch, and so between two watermarks

const events = generateNexmarkEvents(GENERATOR) as unknown as RefEvent[];
const slidingEvents = generateNexmarkEvents({ ...GENERATOR, outOfOrdernessMs: SLIDING.outOfOrdernessMs }) as unknown as RefEvent[];
const bidCount = events.filter((e) => e.type === 'bid').length;

function expected(watermarkEvery: number): LatenessResult {
  return referenceLateWindowCounts(events, { windowMs: 10_000, boundMs: BOUND_MS, allowedLatenessMs: ALLOWED_LATENESS, watermarkEvery });
}

const lateRow = (b: RefBid) => ({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime });

function expectSameRows(actual: unknown[], wanted: unknown[]): void {
  const diff = compareRows(actual, wanted);
  expect({ missing: diff.missing.slice(0, 5), unexpected: diff.unexpected.slice(0, 5), counts: [actual.length, wanted.length] }).toEqual({
    missing: [],
    unexpected: [],
    counts: [wanted.length, wanted.length],
  });
}

/** Bids that reached no window: all bids minus each tumbling window's final (largest) count. */
function droppedFromCounts(rows: { windowStart: number; auction: number; count: number }[]): number {
  const finalCounts = new Map<string, number>();
  for (const r of rows) {
    const key = r.windowStart + '/' + r.auction;
    finalCounts.set(key, Math.max(finalCounts.get(key) ?? 0, r.count));
  }
  let accepted = 0;
  for (const c of finalCounts.values()) accepted += c;
  return bidCount - accepted;
}

jest.setTimeout(120_000);

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'runnel-late-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function run(name: string, parallelism: number, batchSize: number, extra: string[]): Promise<{ counts: unknown[]; late: unknown[] }> {
  const module = await loadJobModule(EXAMPLE);
  const output = join(work, `${name}-out/`);
  const lateOutput = join(work, `${name}-late/`);
  const args = [...extra, '--output', output];
  if (!extra.includes('--no-side-output')) args.push('--late-output', lateOutput);
  await module.main(StreamExecutionEnvironment.createLocalEnvironment(parallelism, { batchSize }), args.filter((a) => a !== '--no-side-output'));
  return { counts: readJsonLinesOutput(output), late: existsSync(lateOutput) ? readJsonLinesOutput(lateOutput) : [] };
}

describe('late data on the embedded executor matches the lateness reference', () => {
  it('the input exercises every case: on-time and late firings, late bids, and late bids still accepted', () => {
    for (const every of [1, DEFAULT_BATCH]) {
      const r = expected(every);
      expect(r.onTime.length).toBeGreaterThan(1000);
      expect(r.lateFirings.length).toBeGreaterThan(50);
      expect(r.late.length).toBeGreaterThan(50);
      expect(r.dropped).toBe(r.late.length);
    }
    // The two watermark cadences disagree, so a runtime using the wrong one fails.
    expect(expected(1).late.length).not.toBe(expected(DEFAULT_BATCH).late.length);
  });

  it.each([
    [1, 1],
    [4, 1],
    [4, DEFAULT_BATCH],
  ])('tumbling windows at parallelism %i, a watermark every %i events', async (parallelism, batchSize) => {
    const { counts, late } = await run(`tumbling-${parallelism}-${batchSize}`, parallelism, batchSize, TUMBLING_ARGS);
    const want = expected(batchSize);
    expectSameRows(counts, [...want.onTime, ...want.lateFirings]);
    expectSameRows(late, want.late.map(lateRow));
  });

  it('sliding windows (10 s every 5 s, delays up to 20 s) at parallelism 4', async () => {
    const { counts, late } = await run('sliding', 4, DEFAULT_BATCH, SLIDING_ARGS);
    const want = referenceLateWindowCounts(slidingEvents, { windowMs: 10_000, boundMs: BOUND_MS, watermarkEvery: DEFAULT_BATCH, ...SLIDING });
    expect(want.late.length).toBeGreaterThan(10);
    expect(want.lateFirings.length).toBeGreaterThan(10);
    expectSameRows(counts, [...want.onTime, ...want.lateFirings]);
    expectSameRows(late, want.late.map(lateRow));
  });

  it('without a side output the late bids are dropped: the reference’s dropped count', async () => {
    const { counts, late } = await run('dropped', 2, DEFAULT_BATCH, [...TUMBLING_ARGS, '--no-side-output']);
    const want = expected(DEFAULT_BATCH);
    expect(late).toEqual([]);
    expectSameRows(counts, [...want.onTime, ...want.lateFirings]);
    expect(droppedFromCounts(counts as { windowStart: number; auction: number; count: number }[])).toBe(want.dropped);
  });
});

describe('late data at the exact boundaries (hand-made input, a watermark after every event)', () => {
  // Windows of 10 ms, bound 2 (watermark = max - 3), allowed lateness 5: each step lands on a boundary.
  const bid = (dateTime: number): RefBid => ({ type: 'bid', auction: 1, bidder: 1, price: 1, dateTime });
  const input = [
    bid(1),
    bid(12), // wm 9 = [0,10)'s last ms: fires
    bid(5), //  allowed (9 + 5 > 9): fires again
    bid(17), // wm 14 = 9 + 5: [0,10) purged
    bid(3), //  late: exactly at the purge boundary
    bid(26), // wm 23
    bid(19), // [10,20): 19 + 5 = 24 > 23, allowed: fires with 3
    bid(27), // wm 24 = 19 + 5: purged
    bid(10), // late
  ];
  const count: AggregateFunction<RefBid, number, number> = { createAccumulator: () => 0, add: (_b, n) => n + 1, getResult: (n) => n, merge: (a, b) => a + b };
  const toRow: ProcessWindowFunction<number, unknown, number> = {
    process(auction: number, ctx: WindowContext, counts: readonly number[], out: Collector<unknown>): void {
      out.collect({ windowStart: ctx.window.start, windowEnd: ctx.window.end, auction, count: counts[0] });
    },
  };

  it('fires, re-fires, purges and side-outputs exactly where the reference does', async () => {
    const want = referenceLateWindowCounts(input, { windowMs: 10, boundMs: 2, allowedLatenessMs: 5 });
    expect(want.late.map((b) => b.dateTime)).toEqual([3, 10]);
    expect(want.lateFirings.map((r) => r.count)).toEqual([2, 3]);
    const env = StreamExecutionEnvironment.createLocalEnvironment(1, { batchSize: 1 });
    const lateTag = new OutputTag<RefBid>('late');
    const counts = env
      .fromCollection(input)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<RefBid>(2).withTimestampAssigner((b: RefBid) => b.dateTime))
      .keyBy((b: RefBid) => b.auction)
      .window(TumblingEventTimeWindows.of(10))
      .allowedLateness(5)
      .sideOutputLateData(lateTag)
      .aggregate(count, toRow);
    const lateSink = { values: [] as unknown[] };
    counts.getSideOutput(lateTag).map((b: RefBid) => {
      lateSink.values.push(b);
      return b;
    });
    const rows = await counts.executeAndCollect('boundaries');
    expectSameRows(rows, [...want.onTime, ...want.lateFirings]);
    expect(lateSink.values).toEqual(want.late);
  });
});
