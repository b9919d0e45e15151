/**
 * Nexmark Q7 (highest bid): the bid(s) at the highest price of each tumbling 10 s window.
 * Stage 1 pre-aggregates per auction and window (keeping ties) so stage 2, keyed by window, sees
 * only a few candidates per auction; stage 2 emits the overall leaders when the window closes.
 */
import {
  TumblingEventTimeWindows,
  type AggregateFunction,
  type BidEvent,
  type Collector,
  type ProcessWindowFunction,
  type WindowContext,
} from '@runnel/dataflow';
import { bids } from './shared/nexmark.input';
import { WindowLeaders } from './shared/window-leaders.process';
import { nexmarkJob, type NexmarkQuery } from './shared/nexmark.job';

export interface Q7Row {
  windowStart: number;
  auction: number;
  bidder: number;
  price: number;
}

const WINDOW_MS = 10_000;

interface TopBids {
  price: number;
  bids: BidEvent[];
}

const topBids: AggregateFunction<BidEvent, TopBids, TopBids> = {
  createAccumulator: () => ({ price: -1, bids: [] }),
  add(b, acc) {
    if (b.price > acc.price) {
      acc.price = b.price;
      acc.bids = [b];
    } else if (b.price === acc.price) {
      acc.bids.push(b);
    }
    return acc;
  },
  getResult: (acc) => acc,
  merge: (a, b) => (a.price > b.price ? a : b.price > a.price ? b : { price: a.price, bids: [...a.bids, ...b.bids] }),
};

const toRows: ProcessWindowFunction<TopBids, Q7Row, number> = {
  process(_auction: number, ctx: WindowContext, results: readonly TopBids[], out: Collector<Q7Row>): void {
    for (const b of results[0].bids) out.collect({ windowStart: ctx.window.start, auction: b.auction, bidder: b.bidder, price: b.price });
  },
};

export const query: NexmarkQuery<Q7Row> = (events) =>
  bids(events)
    .keyBy((b: BidEvent) => b.auction)
    .window(TumblingEventTimeWindows.of(WINDOW_MS))
    .aggregate(topBids, toRows)
    .name('Top Bids per Auction and Window')
    .uid('q7-local-max')
    .keyBy((r: Q7Row) => r.windowStart)
    .process(new WindowLeaders<Q7Row>((r) => r.price, (r) => r.windowStart + WINDOW_MS - 1))
    .name('Highest Bids')
    .uid('q7-global-max');

export default nexmarkJob('Nexmark Q7', query);
