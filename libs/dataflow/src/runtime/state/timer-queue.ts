/**
 * Keyed timers bucketed by timestamp: a min-heap of distinct timestamps, and per timestamp a Map
 * from the key's state key to its timers (a short chain, one per namespace). Registering is one
 * or two Map lookups with a per-(key, namespace, timestamp) dedupe and builds no id string;
 * firing pops timestamps in order and walks each bucket in insertion order, so many keys sharing
 * a timestamp (every key's window ending at the same time) cost one heap entry, not one each.
 * Namespaces are compared with ===: numbers for window operators, strings for user timers.
 */
import { NumberHeap } from './timer-heap';

export interface QueuedTimer<NS> {
  readonly timestamp: number;
  readonly key: unknown;
  /** The key as stored in state Maps (stateKeyOf(key)). */
  readonly stateKey: unknown;
  readonly keyGroup: number;
  readonly namespace: NS;
  /** Next timer of the same key and timestamp (another namespace). */
  next: QueuedTimer<NS> | undefined;
  /** Deleted, or already fired. */
  dead: boolean;
}

type Bucket<NS> = Map<unknown, QueuedTimer<NS>>;

export class TimerQueue<NS> {
  private readonly heap = new NumberHeap();
  private readonly buckets = new Map<number, Bucket<NS>>();
  private live = 0;
  /** The chain whose timers are being fired (see deleteFiring). */
  private firing: QueuedTimer<NS> | undefined;

  get size(): number {
    return this.live;
  }

  /** Adds the timer unless the same (key, namespace, timestamp) is pending; true when added. */
  add(key: unknown, stateKey: unknown, keyGroup: number, namespace: NS, timestamp: number): boolean {
    let bucket = this.buckets.get(timestamp);
    if (bucket === undefined) {
      bucket = new Map();
      this.buckets.set(timestamp, bucket);
      this.heap.push(timestamp);
    }
    const head = bucket.get(stateKey);
    const t: QueuedTimer<NS> = { timestamp, key, stateKey, keyGroup, namespace, next: undefined, dead: false };
    if (head === undefined) bucket.set(stateKey, t);
    else {
      let last = head;
      for (let e: QueuedTimer<NS> | undefined = head; e !== undefined; e = e.next) {
        if (e.namespace === namespace) return false;
        last = e;
      }
      last.next = t;
    }
    this.live++;
    return true;
  }

  /** Removes a pending timer; true when there was one. */
  delete(stateKey: unknown, namespace: NS, timestamp: number): boolean {
    const bucket = this.buckets.get(timestamp);
    const head = bucket?.get(stateKey);
    if (head === undefined) return this.deleteFiring(stateKey, namespace, timestamp);
    let prev: QueuedTimer<NS> | undefined;
    for (let e: QueuedTimer<NS> | undefined = head; e !== undefined; prev = e, e = e.next) {
      if (e.namespace !== namespace) continue;
      e.dead = true;
      this.live--;
      if (prev !== undefined) prev.next = e.next;
      else if (e.next !== undefined) bucket!.set(stateKey, e.next);
      else {
        bucket!.delete(stateKey);
        if (bucket!.size === 0) this.buckets.delete(timestamp);
      }
      return true;
    }
    return false;
  }

  /** A timer of the chain being fired (already taken out of its bucket) is deleted by marking it. */
  private deleteFiring(stateKey: unknown, namespace: NS, timestamp: number): boolean {
    const head = this.firing;
    if (head === undefined || head.timestamp !== timestamp || head.stateKey !== stateKey) return false;
    for (let e: QueuedTimer<NS> | undefined = head; e !== undefined; e = e.next) {
      if (e.dead || e.namespace !== namespace) continue;
      e.dead = true;
      this.live--;
      return true;
    }
    return false;
  }

  /** Earliest pending timestamp (drops heap entries of emptied buckets). */
  peek(): number | undefined {
    const heap = this.heap;
    while (heap.size > 0) {
      const ts = heap.peek();
      if (this.buckets.has(ts)) return ts;
      heap.pop();
    }
    return undefined;
  }

  /**
   * Fires every timer with timestamp ≤ upTo, in timestamp order. Timers registered while firing
   * fire in this call too when they are due; timers deleted while firing do not fire.
   */
  fireUpTo(upTo: number, fire: (t: QueuedTimer<NS>) => void): void {
    for (let ts = this.peek(); ts !== undefined && ts <= upTo; ts = this.peek()) {
      const bucket = this.buckets.get(ts)!;
      // Map iteration sees entries added during it and skips deleted ones.
      for (const [sk, head] of bucket) {
        bucket.delete(sk);
        this.firing = head;
        for (let e: QueuedTimer<NS> | undefined = head; e !== undefined; e = e.next) {
          if (e.dead) continue;
          e.dead = true;
          this.live--;
          fire(e);
        }
        this.firing = undefined;
      }
      if (this.buckets.get(ts) === bucket) this.buckets.delete(ts);
      if (this.heap.size > 0 && this.heap.peek() === ts) this.heap.pop();
    }
  }

  /** Pending timers, by timestamp then registration order (the order they would fire in). */
  *pending(): Generator<QueuedTimer<NS>> {
    const stamps = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const ts of stamps) {
      for (const head of this.buckets.get(ts)!.values()) {
        for (let e: QueuedTimer<NS> | undefined = head; e !== undefined; e = e.next) if (!e.dead) yield e;
      }
    }
  }
}
