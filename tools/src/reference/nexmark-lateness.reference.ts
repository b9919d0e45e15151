/**
 * Reference of bid counts per auction in event-time windows over an out-of-order stream, with
 * allowed lateness and a side output of late bids. Written from Flink's documented semantics, not
 * from the runtime: events are taken one at a time in arrival order; the watermark is the
 * largest timestamp seen so far minus the bound minus 1 (BoundedOutOfOrderness), re-evaluated
 * after every `watermarkEvery` events (1: after each event; the runtime's sources emit one per
 * polled batch). When the watermark reaches a window's last millisecond (end - 1) the window
 * fires; it is purged once the watermark reaches end - 1 + allowed lateness. A bid for a window
 * not yet purged but already fired updates it and fires it again; a bid all of whose windows are
 * purged is late: it goes to the side output (or, without one, is counted as dropped). At the
 * end of input every window not yet fired fires.
 */
import type { RefBid, RefEvent } from './reference.types';

export interface LatenessModel {
  /** Window size; windows are epoch-aligned and half-open, [start, end). */
  windowMs: number;
  /** Slide of sliding windows; default `windowMs` (tumbling). */
  slideMs?: number;
  /** The watermark strategy's out-of-orderness bound. */
  boundMs: number;
  allowedLatenessMs: number;
  /** Events between two watermark updates (default 1). */
  watermarkEvery?: number;
}

export interface WindowCountRow {
  windowStart: number;
  windowEnd: number;
  auction: number;
  count: number;
}

export interface LatenessResult {
  /** The firing of each window caused by the watermark (or the end of input). */
  onTime: WindowCountRow[];
  /** Firings caused by a late but allowed bid: the window's count including it. */
  lateFirings: WindowCountRow[];
  /** Bids that arrived after all their windows were purged, in arrival order. */
  late: RefBid[];
  /** How many bids were late: dropped when the job has no late side output. */
  dropped: number;
}

interface WindowState {
  start: number;
  auction: number;
  count: number;
  fired: boolean;
}

export function referenceLateWindowCounts(events: readonly RefEvent[], model: LatenessModel): LatenessResult {
  const size = model.windowMs;
  const slide = model.slideMs ?? size;
  const every = model.watermarkEvery ?? 1;
  const result: LatenessResult = { onTime: [], lateFirings: [], late: [], dropped: 0 };
  // Live (not yet purged) windows by "start/auction"; purged ones are simply absent.
  const windows = new Map<string, WindowState>();
  const row = (w: WindowState): WindowCountRow => ({ windowStart: w.start, windowEnd: w.start + size, auction: w.auction, count: w.count });
  let maxSeen = Number.NEGATIVE_INFINITY;
  let watermark = Number.NEGATIVE_INFINITY;

  const advanceWatermark = (to: number) => {
    if (to <= watermark) return;
    watermark = to;
    for (const [key, w] of windows) {
      const last = w.start + size - 1;
      if (!w.fired && last <= watermark) {
        w.fired = true;
        result.onTime.push(row(w));
      }
      if (last + model.allowedLatenessMs <= watermark) windows.delete(key);
    }
  };

  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.type === 'bid') {
      let accepted = false;
      // Every window [s, s + size) with s a multiple of slide and s <= t < s + size.
      const first = e.dateTime - (((e.dateTime % slide) + slide) % slide);
      for (let s = first; s > e.dateTime - size; s -= slide) {
        const last = s + size - 1;
        if (last + model.allowedLatenessMs <= watermark) continue; // purged (or would be at once)
        accepted = true;
        const key = s + '/' + e.auction;
        let w = windows.get(key);
        if (w === undefined) windows.set(key, (w = { start: s, auction: e.auction, count: 0, fired: false }));
        w.count++;
        if (last <= watermark) {
          w.fired = true;
          result.lateFirings.push(row(w));
        }
      }
      if (!accepted) {
        result.late.push(e);
        result.dropped++;
      }
    }
    if (e.dateTime > maxSeen) maxSeen = e.dateTime;
    if ((i + 1) % every === 0) advanceWatermark(maxSeen - model.boundMs - 1);
  }
  for (const w of windows.values()) if (!w.fired) result.onTime.push(row(w));
  return result;
}
