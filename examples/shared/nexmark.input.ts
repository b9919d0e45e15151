/**
 * The event stream of every Nexmark example: JSON Lines from `--input`, or the Nexmark generator
 * (`--events --rate --seed`), with event time from `dateTime` and watermarks that allow 4 s of
 * out-of-orderness. Also the helpers the jobs share: output, checkpointing and typed views of the
 * event stream.
 */
import {
  NexmarkSource,
  WatermarkStrategy,
  type AuctionEvent,
  type AggregateFunction,
  type BidEvent,
  type DataStream,
  type NexmarkEvent,
  type PersonEvent,
  type StreamExecutionEnvironment,
} from '@runnel/dataflow';
import { JsonLinesSink, isDirectoryOutput } from './json-lines.sink';
import { LineFileSource } from './line-file.source';
import type { ExampleArgs } from './job.args';

export const MAX_OUT_OF_ORDERNESS_MS = 4_000;

export function applyCheckpointing(env: StreamExecutionEnvironment, args: ExampleArgs): void {
  if (args.checkpointInterval !== undefined) env.enableCheckpointing(args.checkpointInterval);
}

/** Nexmark events with timestamps and watermarks assigned. */
export function nexmarkEvents(env: StreamExecutionEnvironment, args: ExampleArgs): DataStream<NexmarkEvent> {
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<NexmarkEvent>(MAX_OUT_OF_ORDERNESS_MS).withTimestampAssigner(
    (e: NexmarkEvent) => e.dateTime,
  );
  if (args.input !== undefined) {
    return env.fromSource(new LineFileSource<NexmarkEvent>(args.input, JSON.parse), strategy, 'Nexmark JSON Lines').uid('nexmark-input');
  }
  const source = new NexmarkSource({ events: args.events, rate: args.rate, seed: args.seed, baseTime: args.baseTime });
  return env.fromSource(source, strategy, 'Nexmark Generator').uid('nexmark-generator');
}

export const isBid = (e: NexmarkEvent): e is BidEvent => e.type === 'bid';
export const isAuction = (e: NexmarkEvent): e is AuctionEvent => e.type === 'auction';
export const isPerson = (e: NexmarkEvent): e is PersonEvent => e.type === 'person';

export function bids(events: DataStream<NexmarkEvent>): DataStream<BidEvent> {
  return events.filter(isBid).name('Bids') as unknown as DataStream<BidEvent>;
}
export function auctions(events: DataStream<NexmarkEvent>): DataStream<AuctionEvent> {
  return events.filter(isAuction).name('Auctions') as unknown as DataStream<AuctionEvent>;
}
export function persons(events: DataStream<NexmarkEvent>): DataStream<PersonEvent> {
  return events.filter(isPerson).name('Persons') as unknown as DataStream<PersonEvent>;
}

/** Results to `--output` (JSON Lines) or, without it, printed. */
export function emitResults<T>(stream: DataStream<T>, args: ExampleArgs): void {
  if (args.output === undefined) {
    stream.print();
    return;
  }
  const sink = stream.sinkTo(new JsonLinesSink<T>(args.output), 'JSON Lines Sink').uid('json-lines-sink');
  if (!isDirectoryOutput(args.output)) sink.setParallelism(1);
}

/** Counts the bids of a window (q5 per auction, q11 per bidder session). */
export const countBids: AggregateFunction<BidEvent, number, number> = {
  createAccumulator: () => 0,
  add: (_b, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};
