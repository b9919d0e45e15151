/** Nexmark Q11 (user sessions): bids per bidder per session, sessions closing after 10 s without a bid. */
import {
  EventTimeSessionWindows,
  type BidEvent,
  type Collector,
  type ProcessWindowFunction,
  type WindowContext,
} from '@runnel/dataflow';
import { bids, countBids } from './shared/nexmark.input';
import { nexmarkJob, type NexmarkQuery } from './shared/nexmark.job';

export interface Q11Row {
  bidder: number;
  count: number;
  windowStart: number;
  windowEnd: number;
}

const SESSION_GAP_MS = 10_000;

const toRow: ProcessWindowFunction<number, Q11Row, number> = {
  process(bidder: number, ctx: WindowContext, counts: readonly number[], out: Collector<Q11Row>): void {
    out.collect({ bidder, count: counts[0], windowStart: ctx.window.start, windowEnd: ctx.window.end });
  },
};

export const query: NexmarkQuery<Q11Row> = (events) =>
  bids(events)
    .keyBy((b: BidEvent) => b.bidder)
    .window(EventTimeSessionWindows.withGap(SESSION_GAP_MS))
    .aggregate(countBids, toRow)
    .name('Bids per Session')
    .uid('q11-sessions');

export default nexmarkJob('Nexmark Q11', query);
