/**
 * Reference answers of the joining Nexmark queries over a whole bounded input:
 * q3 (local item suggestion), q4 (average winning price per category), q8 (new users who opened
 * an auction in the window they registered in). Event order does not matter here: the
 * streaming versions must reach the same final answer once their input ends.
 */
import { NexmarkQueryParams, Q3Row, Q4Row, Q8Row, RefAuction, RefEvent, RefPerson } from './reference.types';

export function referenceQ3(events: readonly RefEvent[]): Q3Row[] {
  const states = new Set(NexmarkQueryParams.q3States);
  const sellers = new Map<number, RefPerson>();
  for (const e of events) if (e.type === 'person' && states.has(e.state)) sellers.set(e.id, e);
  const out: Q3Row[] = [];
  for (const e of events) {
    if (e.type !== 'auction' || e.category !== NexmarkQueryParams.q3Category) continue;
    const p = sellers.get(e.seller);
    if (p !== undefined) out.push({ name: p.name, city: p.city, state: p.state, id: e.id });
  }
  return out;
}

/**
 * A bid counts for an auction when its time is within [auction.dateTime, auction.expires]; the
 * auction's final price is its highest such bid; auctions without one are left out.
 */
export function referenceQ4(events: readonly RefEvent[]): Q4Row[] {
  const auctions = new Map<number, RefAuction>();
  for (const e of events) if (e.type === 'auction') auctions.set(e.id, e);
  const winning = new Map<number, number>();
  for (const e of events) {
    if (e.type !== 'bid') continue;
    const a = auctions.get(e.auction);
    if (a === undefined || e.dateTime < a.dateTime || e.dateTime > a.expires) continue;
    const best = winning.get(a.id);
    if (best === undefined || e.price > best) winning.set(a.id, e.price);
  }
  const perCategory = new Map<number, { sum: number; count: number }>();
  for (const [auctionId, price] of winning) {
    const category = (auctions.get(auctionId) as RefAuction).category;
    const acc = perCategory.get(category) ?? { sum: 0, count: 0 };
    acc.sum += price;
    acc.count++;
    perCategory.set(category, acc);
  }
  return [...perCategory].map(([category, { sum, count }]) => ({ category, avgPrice: sum / count }));
}

function tumblingStart(t: number, size: number): number {
  return t - (((t % size) + size) % size);
}

export function referenceQ8(events: readonly RefEvent[]): Q8Row[] {
  const size = NexmarkQueryParams.q8WindowMs;
  const opened = new Set<string>();
  for (const e of events) if (e.type === 'auction') opened.add(e.seller + '@' + tumblingStart(e.dateTime, size));
  const out: Q8Row[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    if (e.type !== 'person') continue;
    const windowStart = tumblingStart(e.dateTime, size);
    const key = e.id + '@' + windowStart;
    if (opened.has(key) && !seen.has(key)) {
      seen.add(key);
      out.push({ id: e.id, name: e.name, windowStart });
    }
  }
  return out;
}
