/**
 * Nexmark Q5 (hot items): the auction(s) with the most bids in each sliding window of 10 s
 * every 2 s. Stage 1 counts bids per auction and window; stage 2, keyed by window, keeps the
 * leaders and emits them when the watermark passes the window's end.
 */
import {
  SlidingEventTimeWindows,
  type BidEvent,
  type Collector,
  type ProcessWindowFunction,
  type WindowContext,
} from '@runnel/dataflow';
import { bids, countBids } from './shared/nexmark.input';
import { WindowLeaders } from './shared/window-leaders.process';
import { nexmarkJob, type NexmarkQuery } from './shared/nexmark.job';

export interface Q5Row {
  windowStart: number;
  windowEnd: number;
  auction: number;
  count: number;
}

const WINDOW_MS = 10_000;
const SLIDE_MS = 2_000;

const toRow: ProcessWindowFunction<number, Q5Row, number> = {
  process(auction: number, ctx: WindowContext, counts: readonly number[], out: Collector<Q5Row>): void {
    out.collect({ windowStart: ctx.window.start, windowEnd: ctx.window.end, auction, count: counts[0] });
  },
};

export const query: NexmarkQuery<Q5Row> = (events) =>
  bids(events)
    .keyBy((b: BidEvent) => b.auction)
    .window(SlidingEventTimeWindows.of(WINDOW_MS, SLIDE_MS))
    .aggregate(countBids, toRow)
    .name('Bids per Auction and Window')
    .uid('q5-count')
    .keyBy((r: Q5Row) => r.windowStart)
    .process(new WindowLeaders<Q5Row>((r) => r.count, (r) => r.windowEnd - 1))
    .name('Hottest Auctions')
    .uid('q5-hottest');

export default nexmarkJob('Nexmark Q5', query);
