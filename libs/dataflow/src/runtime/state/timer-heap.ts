/** Binary min-heap of timers ordered by timestamp (ties by insertion order, for determinism). */

export interface InternalTimer {
  timestamp: number;
  key: unknown;
  keyGroup: number;
  namespace: string;
  id: string;
  seq: number;
}

export class TimerHeap {
  private readonly items: InternalTimer[] = [];

  get size(): number {
    return this.items.length;
  }
  peek(): InternalTimer | undefined {
    return this.items[0];
  }
  push(t: InternalTimer): void {
    const a = this.items;
    a.push(t);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): InternalTimer | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l], a[m])) m = l;
        if (r < a.length && less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

function less(a: InternalTimer, b: InternalTimer): boolean {
  return a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.seq < b.seq);
}
