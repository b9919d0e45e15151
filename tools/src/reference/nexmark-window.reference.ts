/**
 * Reference answers of the windowed Nexmark queries: q5 (hot items, sliding 10 s every 2 s),
 * q7 (highest bid, tumbling 10 s) and q11 (bids per bidder session, gap 10 s). Windows are
 * aligned to the epoch and half-open, [start, end). Sessions merge like Flink's: a bid at or
 * before the current session's end (last bid + gap) extends it.
 */
import { NexmarkQueryParams, Q11Row, Q5Row, Q7Row, RefBid, RefEvent } from './reference.types';

function windowStartOf(t: number, slide: number): number {
  return t - (((t % slide) + slide) % slide);
}

export function referenceQ5(events: readonly RefEvent[]): Q5Row[] {
  return referenceHotItems(events, NexmarkQueryParams.q5WindowMs, NexmarkQueryParams.q5SlideMs);
}

/** q5 with any sliding window (the bench's scaling table varies size and slide). */
export function referenceHotItems(events: readonly RefEvent[], size: number, slide: number): Q5Row[] {
  const counts = new Map<number, Map<number, number>>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.type !== 'bid') continue;
    // Every window [s, s + size) with s a multiple of slide and s <= t < s + size.
    for (let s = windowStartOf(e.dateTime, slide); s > e.dateTime - size; s -= slide) {
      let perAuction = counts.get(s);
      if (perAuction === undefined) counts.set(s, (perAuction = new Map()));
      perAuction.set(e.auction, (perAuction.get(e.auction) ?? 0) + 1);
    }
  }
  const out: Q5Row[] = [];
  for (const [windowStart, perAuction] of counts) {
    let max = 0;
    for (const c of perAuction.values()) if (c > max) max = c;
    for (const [auction, count] of perAuction) {
      if (count === max) out.push({ windowStart, windowEnd: windowStart + size, auction, count });
    }
  }
  return out;
}

export function referenceQ7(events: readonly RefEvent[]): Q7Row[] {
  const size = NexmarkQueryParams.q7WindowMs;
  const best = new Map<number, RefBid[]>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.type !== 'bid') continue;
    const s = windowStartOf(e.dateTime, size);
    const top = best.get(s);
    if (top === undefined || e.price > top[0].price) best.set(s, [e]);
    else if (e.price === top[0].price) top.push(e);
  }
  const out: Q7Row[] = [];
  for (const [windowStart, bids] of best) {
    for (const b of bids) out.push({ windowStart, auction: b.auction, bidder: b.bidder, price: b.price });
  }
  return out;
}

export function referenceQ11(events: readonly RefEvent[]): Q11Row[] {
  const gap = NexmarkQueryParams.q11GapMs;
  const times = new Map<number, number[]>();
  for (const e of events) {
    if (e.type !== 'bid') continue;
    const list = times.get(e.bidder);
    if (list === undefined) times.set(e.bidder, [e.dateTime]);
    else list.push(e.dateTime);
  }
  const out: Q11Row[] = [];
  for (const [bidder, list] of times) {
    list.sort((a, b) => a - b);
    let start = list[0];
    let end = start + gap;
    let count = 0;
    for (const t of list) {
      if (t > end) {
        out.push({ bidder, count, windowStart: start, windowEnd: end });
        start = t;
        count = 0;
      }
      end = Math.max(end, t + gap);
      count++;
    }
    out.push({ bidder, count, windowStart: start, windowEnd: end });
  }
  return out;
}
