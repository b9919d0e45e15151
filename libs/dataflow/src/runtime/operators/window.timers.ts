/**
 * Event-time timers of aligned (tumbling and sliding) windows: every key's window [s, s + size)
 * fires at the same timestamp, so a timer is just the key's entry pushed onto the array of that
 * timestamp — no object per timer, no Map per key. The window start follows from the timestamp.
 * Duplicates are allowed here and dropped when firing (the operator remembers per key the last
 * window a timer fired), which keeps registering to one Map lookup and one push.
 */
import { NumberHeap } from '../state/timer-heap';
import type { KeyWindows } from './window.store';

/** Increases with every bucket visit of any queue (see forEachPending). */
let visitMark = 0;

export class AlignedWindowTimers {
  private readonly heap = new NumberHeap();
  private readonly buckets = new Map<number, KeyWindows[]>();
  /**
   * The bucket of the previous add: new windows of different keys mostly share their fire time
   * (the newest window), so most adds skip the Map lookup by a boxed double.
   */
  private lastTs = Number.NaN;
  private lastBucket: KeyWindows[] | undefined;

  add(timestamp: number, e: KeyWindows): void {
    if (timestamp === this.lastTs) {
      this.lastBucket!.push(e);
      return;
    }
    let b = this.buckets.get(timestamp);
    if (b === undefined) {
      b = [];
      this.buckets.set(timestamp, b);
      this.heap.push(timestamp);
    }
    b.push(e);
    this.lastTs = timestamp;
    this.lastBucket = b;
  }

  get isEmpty(): boolean {
    return this.buckets.size === 0;
  }

  peek(): number | undefined {
    const heap = this.heap;
    while (heap.size > 0) {
      const ts = heap.peek();
      if (this.buckets.has(ts)) return ts;
      heap.pop();
    }
    return undefined;
  }

  /** Calls `fire` for every (timestamp ≤ upTo, entry) in timestamp order; entries added meanwhile at a due timestamp too. */
  fireUpTo(upTo: number, fire: (e: KeyWindows, timestamp: number) => void): void {
    for (let ts = this.peek(); ts !== undefined && ts <= upTo; ts = this.peek()) {
      const b = this.buckets.get(ts)!;
      for (let i = 0; i < b.length; i++) fire(b[i], ts);
      this.buckets.delete(ts);
      if (ts === this.lastTs) {
        this.lastTs = Number.NaN;
        this.lastBucket = undefined;
      }
      if (this.heap.size > 0 && this.heap.peek() === ts) this.heap.pop();
    }
  }

  /** Calls `visit` for every pending (timestamp, entry) pair by timestamp, each pair once, released entries left out. */
  forEachPending(visit: (timestamp: number, e: KeyWindows) => void): void {
    for (const ts of [...this.buckets.keys()].sort((a, b) => a - b)) {
      // A bucket may hold an entry more than once; a mark per bucket visit drops the repeats
      // without a Set (a snapshot walks every timer, 10^5 of them for q5).
      const mark = ++visitMark;
      for (const e of this.buckets.get(ts)!) {
        if (e.released || e.visitMark === mark) continue;
        e.visitMark = mark;
        visit(ts, e);
      }
    }
  }
}
