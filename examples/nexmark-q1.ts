/** Nexmark Q1 (currency conversion): bid prices from dollars to euros (× 0.908, 3 decimals). */
import type { BidEvent } from '@runnel/dataflow';
import { bids } from './shared/nexmark.input';
import { nexmarkJob, type NexmarkQuery } from './shared/nexmark.job';

export interface Q1Row {
  auction: number;
  bidder: number;
  price: number;
  dateTime: number;
}

const DOLLAR_TO_EURO = 0.908;

export const query: NexmarkQuery<Q1Row> = (events) =>
  bids(events)
    .map((b: BidEvent): Q1Row => ({
      auction: b.auction,
      bidder: b.bidder,
      price: Math.round(b.price * DOLLAR_TO_EURO * 1000) / 1000,
      dateTime: b.dateTime,
    }))
    .name('To Euro');

export default nexmarkJob('Nexmark Q1', query);
