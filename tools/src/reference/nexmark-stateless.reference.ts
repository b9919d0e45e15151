/** Reference answers of the stateless Nexmark queries q0 (pass-through), q1 (map), q2 (filter). */
import { NexmarkQueryParams, Q1Row, Q2Row, RefBid, RefEvent } from './reference.types';

export function referenceQ0<E extends { type: string }>(events: readonly E[]): E[] {
  const out: E[] = [];
  for (let i = 0; i < events.length; i++) if (events[i].type === 'bid') out.push(events[i]);
  return out;
}

/** Price in dollars converted to euros, kept to 3 decimals. */
export function toEuro(price: number): number {
  return Math.round(price * NexmarkQueryParams.q1DollarToEuro * 1000) / 1000;
}

export function referenceQ1(events: readonly RefEvent[]): Q1Row[] {
  const out: Q1Row[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.type !== 'bid') continue;
    out.push({ auction: e.auction, bidder: e.bidder, price: toEuro(e.price), dateTime: e.dateTime });
  }
  return out;
}

export function referenceQ2(events: readonly RefEvent[]): Q2Row[] {
  const out: Q2Row[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.type === 'bid' && (e as RefBid).auction % NexmarkQueryParams.q2AuctionModulus === 0) {
      out.push({ auction: e.auction, price: e.price });
    }
  }
  return out;
}
