/**
 * What a timer callback receives, and the binary min-heap of timestamps that orders the timer
 * buckets (see timer-queue.ts).
 */

export interface InternalTimer<NS = string> {
  readonly timestamp: number;
  readonly key: unknown;
  readonly keyGroup: number;
  readonly namespace: NS;
}

/** Min-heap of numbers in a plain array (no per-entry object). */
export class NumberHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }
  /** The smallest value; only valid when size > 0. */
  peek(): number {
    return this.items[0];
  }
  push(v: number): void {
    const a = this.items;
    let i = a.length;
    a.push(v);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= v) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = v;
  }
  pop(): number | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    const n = a.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && a[r] < a[l] ? r : l;
        if (a[m] >= last) break;
        a[i] = a[m];
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}
