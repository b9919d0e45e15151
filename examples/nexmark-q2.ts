/** Nexmark Q2 (selection): bids on every 123rd auction. */
import type { BidEvent } from '@runnel/dataflow';
import { bids } from './shared/nexmark.input';
import { nexmarkJob, type NexmarkQuery } from './shared/nexmark.job';

export interface Q2Row {
  auction: number;
  price: number;
}

const AUCTION_MODULUS = 123;

export const query: NexmarkQuery<Q2Row> = (events) =>
  bids(events)
    .filter((b: BidEvent) => b.auction % AUCTION_MODULUS === 0)
    .name('Every 123rd Auction')
    .map((b: BidEvent): Q2Row => ({ auction: b.auction, price: b.price }))
    .name('Project');

export default nexmarkJob('Nexmark Q2', query);
