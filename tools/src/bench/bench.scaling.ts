/**
 * q5's scaling table: the same two-stage job as examples/nexmark-q5.ts (bids per key in sliding
 * windows, then the leaders per window) over synthetic bids whose number of distinct keys,
 * windows per record (size ÷ slide) and count are varied one at a time, so the table shows how the
 * cost grows with state size and with input size. Every row's answer is checked against the
 * reference (referenceHotItems); a wrong one is returned as a failure.
 */
import {
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  WatermarkStrategy,
  type AggregateFunction,
  type Collector,
  type NexmarkEvent,
  type ProcessWindowFunction,
  type WindowContext,
} from '@runnel/dataflow';
import { referenceHotItems, type Q5Row, type RefEvent } from '../reference';
import { CollectingSink, PregeneratedSource } from './bench.environment';
import { Leaders } from './bench.leaders';
import { checkRows } from './bench.check';
import { measure, perSecond } from './bench.measure';
import { formatRate, renderTable } from './bench.table';

interface Bid {
  type: 'bid';
  auction: number;
  bidder: number;
  price: number;
  dateTime: number;
}

const SLIDE_MS = 2_000;
const RATE = 10_000;

/** Bids at RATE per second of event time, in order, auction uniform over `keys` (seeded LCG). */
export function syntheticBids(n: number, keys: number, seed = 7): Bid[] {
  let x = seed >>> 0;
  const out: Bid[] = new Array(n);
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = { type: 'bid', auction: x % keys, bidder: i % 1000, price: 1 + (x % 997), dateTime: 1_700_000_000_000 + Math.floor((i * 1000) / RATE) };
  }
  return out;
}

const count: AggregateFunction<Bid, number, number> = { createAccumulator: () => 0, add: (_b, n) => n + 1, getResult: (n) => n, merge: (a, b) => a + b };
const toRow: ProcessWindowFunction<number, Q5Row, number> = {
  process(auction: number, ctx: WindowContext, counts: readonly number[], out: Collector<Q5Row>): void {
    out.collect({ windowStart: ctx.window.start, windowEnd: ctx.window.end, auction, count: counts[0] });
  },
};

async function runJob(bids: Bid[], size: number, parallelism: number): Promise<Q5Row[]> {
  const env = new StreamExecutionEnvironment('local', parallelism);
  const sink = new CollectingSink<Q5Row>();
  env
    .fromSource(
      new PregeneratedSource(bids as unknown as NexmarkEvent[]) as unknown as PregeneratedSource,
      WatermarkStrategy.forBoundedOutOfOrderness<NexmarkEvent>(0).withTimestampAssigner((b) => b.dateTime),
      'Synthetic Bids',
    )
    .keyBy((b) => (b as unknown as Bid).auction)
    .window(SlidingEventTimeWindows.of(size, SLIDE_MS))
    .aggregate(count as unknown as AggregateFunction<NexmarkEvent, number, number>, toRow)
    .keyBy((r: Q5Row) => r.windowStart)
    .process(new Leaders<Q5Row>())
    .sinkTo(sink);
  await env.execute('q5 scaling');
  return sink.rows;
}

interface Case {
  keys: number;
  windows: number;
  events: number;
}

const CASES: Case[] = [
  ...[1_000, 10_000, 100_000].flatMap((keys) => [1, 5, 20].map((windows) => ({ keys, windows, events: 1_000_000 }))),
  { keys: 10_000, windows: 5, events: 250_000 },
  { keys: 10_000, windows: 5, events: 4_000_000 },
];

/** Prints the table; returns the failures (wrong answers). */
export async function runScaling(out: NodeJS.WritableStream, parallelism: number): Promise<string[]> {
  out.write(`\nq5 scaling (synthetic in-order bids, ${RATE}/s event time, slide ${SLIDE_MS / 1000} s, window = slide × windows/record, one run per row):\n`);
  const failures: string[] = [];
  const rows: string[][] = [];
  await runJob(syntheticBids(50_000, 1_000), 5 * SLIDE_MS, parallelism); // warm-up
  for (const c of CASES) {
    const bids = syntheticBids(c.events, c.keys);
    const size = c.windows * SLIDE_MS;
    const ref = await measure(() => referenceHotItems(bids as unknown as RefEvent[], size, SLIDE_MS));
    const run = await measure(() => runJob(bids, size, parallelism));
    const check = checkRows(run.result, ref.result);
    if (!check.ok) failures.push(`q5 scaling keys=${c.keys} windows=${c.windows} events=${c.events}: ${check.detail}`);
    const panes = new Set<number>();
    for (const b of bids) panes.add(Math.floor(b.dateTime / SLIDE_MS) * c.keys + b.auction);
    const runnel = perSecond(c.events, run.measurement.cpuMs);
    const loop = perSecond(c.events, ref.measurement.cpuMs);
    rows.push([
      c.keys.toLocaleString('en'),
      String(c.windows),
      c.events.toLocaleString('en'),
      panes.size.toLocaleString('en'),
      formatRate(runnel),
      ((run.measurement.cpuMs * 1e3) / c.events).toFixed(2),
      formatRate(loop),
      (loop / Math.max(runnel, 1)).toFixed(1) + 'x',
      check.ok ? 'ok' : 'WRONG',
    ]);
    out.write(`  keys ${c.keys}, windows/record ${c.windows}, events ${c.events}: ${(run.measurement.wallMs / 1000).toFixed(2)} s\n`);
  }
  out.write(
    '\n' +
      renderTable(['keys', 'windows/record', 'events', '(key, pane) pairs', 'runnel ev/s/core', 'µs cpu/event', 'loop ev/s/core', 'slowdown', 'answer'], rows) +
      '\n',
  );
  return failures;
}
