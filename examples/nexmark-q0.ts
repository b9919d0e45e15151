/** Nexmark Q0 (pass-through): every bid, unchanged. Measures the cost of the pipeline itself. */
import type { BidEvent } from '@runnel/dataflow';
import { bids } from './shared/nexmark.input';
import { nexmarkJob, type NexmarkQuery } from './shared/nexmark.job';

export const query: NexmarkQuery<BidEvent> = (events) => bids(events);

export default nexmarkJob('Nexmark Q0', query);
