/**
 * The window operator's keyed state: per key one entry with its windows (or panes) as parallel
 * arrays of numbers — start, end — and accumulators, kept sorted by start. A record costs one Map
 * lookup by the key and a scan of a handful of numbers; the key's group is hashed once, when the
 * entry is created, not per record. Snapshots write one row per key in the generic keyed-state
 * layout (grouped by key group, so rescaling redistributes them): [key, "*", [starts, ends,
 * accumulators]]. Per-window rows [key, "start:end", accumulator] of earlier savepoints restore too.
 */
import { assignToKeyGroup, keyGroupRangeContains, stateKeyOf, type KeyGroupRange } from '../../core/key-group.assignment';
import type { KeyedStateSnapshot, StateTableSnapshot } from '../state/state-snapshot.types';

export class KeyWindows {
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly accs: unknown[] = [];
  /** Dropped from the store (timers still pointing at it are ignored). */
  released = false;
  /** Aligned event-time timers: start of the last window fired / cleared by a timer (dedupe). */
  lastFired = Number.NEGATIVE_INFINITY;
  lastCleared = Number.NEGATIVE_INFINITY;
  /** Pane mode: every window start in [regLo, regHi] has its timers registered. */
  regLo = Number.POSITIVE_INFINITY;
  regHi = Number.NEGATIVE_INFINITY;
  /** AlignedWindowTimers.forEachPending: the last bucket visit that saw this entry. */
  visitMark = 0;
  /** WindowOperator.snapshotState: this entry's pending timers of the kind being written. */
  snapshotTimers: number[] | undefined = undefined;
  constructor(
    readonly key: unknown,
    readonly stateKey: unknown,
    readonly keyGroup: number,
  ) {}

  get size(): number {
    return this.starts.length;
  }

  indexOf(start: number): number {
    const s = this.starts;
    // Recent windows are at the end, and most records go to one of them.
    for (let i = s.length - 1; i >= 0; i--) if (s[i] === start) return i;
    return -1;
  }

  /** Inserts a window (start not present yet) keeping starts sorted; returns its index. */
  insert(start: number, end: number, acc: unknown): number {
    const s = this.starts;
    let i = s.length;
    if (i === 0 || s[i - 1] < start) {
      s.push(start);
      this.ends.push(end);
      this.accs.push(acc);
      return i;
    }
    while (i > 0 && s[i - 1] > start) i--;
    s.splice(i, 0, start);
    this.ends.splice(i, 0, end);
    this.accs.splice(i, 0, acc);
    return i;
  }

  /** Sets the window's accumulator, inserting the window when it is not there (restore). */
  put(start: number, end: number, acc: unknown): void {
    const i = this.indexOf(start);
    if (i >= 0) this.accs[i] = acc;
    else this.insert(start, end, acc);
  }

  removeAt(i: number, count = 1): void {
    // pop/shift stay on V8's fast paths (setting length and splice do not); the common cases are
    // "all of them" (the key's last window fired) and "the oldest one".
    if (i + count === this.starts.length) {
      for (let k = 0; k < count; k++) {
        this.starts.pop();
        this.ends.pop();
        this.accs.pop();
      }
      return;
    }
    if (i === 0 && count === 1) {
      this.starts.shift();
      this.ends.shift();
      this.accs.shift();
      return;
    }
    this.starts.splice(i, count);
    this.ends.splice(i, count);
    this.accs.splice(i, count);
  }
}

/** Namespace of a snapshot row that holds all of a key's windows. */
const ALL_WINDOWS = '*';

export class WindowStore {
  private readonly entries = new Map<unknown, KeyWindows>();
  /** The entry of the previous lookup: consecutive records often share a key. */
  private last: KeyWindows | undefined;

  constructor(private readonly maxParallelism: number) {}

  get(stateKey: unknown): KeyWindows | undefined {
    const last = this.last;
    if (last !== undefined && last.stateKey === stateKey) return last;
    const e = this.entries.get(stateKey);
    if (e !== undefined) this.last = e;
    return e;
  }

  getOrCreate(key: unknown, stateKey: unknown): KeyWindows {
    let e = this.get(stateKey);
    if (e === undefined) {
      e = new KeyWindows(key, stateKey, assignToKeyGroup(key, this.maxParallelism));
      this.entries.set(stateKey, e);
      this.last = e;
    }
    return e;
  }

  /** Drops the entry when it holds no window any more. */
  releaseIfEmpty(e: KeyWindows): void {
    if (e.size > 0) return;
    e.released = true;
    this.entries.delete(e.stateKey);
    if (this.last === e) this.last = undefined;
  }

  get isEmpty(): boolean {
    return this.entries.size === 0;
  }

  /**
   * One row per key with its windows into `into` under table `name` (kind 'internal', like
   * StateTable). A row per window with a "start:end" string cost most of a checkpoint's
   * synchronous part (q5: 100K windows of 20K keys); copies of three arrays per key do not.
   */
  snapshotInto(into: KeyedStateSnapshot, name: string): void {
    for (const e of this.entries.values()) {
      if (e.size === 0) continue;
      const g = (into.groups[e.keyGroup] ??= { tables: {} });
      const t = (g.tables[name] ??= { kind: 'internal', rows: [] });
      // Copies: the snapshot may be kept (embedded executor) while the windows change.
      t.rows.push([e.key, ALL_WINDOWS, [e.starts.slice(), e.ends.slice(), e.accs.slice()]]);
    }
  }

  /** Loads the rows of one key group's table: a key's windows (namespace "*") or one window ("start:end"). */
  restoreRows(keyGroup: number, snap: StateTableSnapshot): void {
    for (const [key, ns, value] of snap.rows) {
      const sk = stateKeyOf(key);
      let e = this.entries.get(sk);
      if (e === undefined) this.entries.set(sk, (e = new KeyWindows(key, sk, keyGroup)));
      if (ns === ALL_WINDOWS) {
        const [starts, ends, accs] = value as [number[], number[], unknown[]];
        for (let w = 0; w < starts.length; w++) e.put(starts[w], ends[w], accs[w]);
      } else {
        const { start, end } = parseWindowNamespace(ns);
        e.put(start, end, value);
      }
    }
  }

  /** Restores table `name` of every key group of `snapshot` inside `range`. */
  restore(snapshot: KeyedStateSnapshot, name: string, range: KeyGroupRange): void {
    for (const [kgText, g] of Object.entries(snapshot.groups)) {
      const kg = Number(kgText);
      const t = g.tables[name];
      if (t !== undefined && keyGroupRangeContains(range, kg)) this.restoreRows(kg, t);
    }
  }
}

/** "start:end" → numbers (the namespace text of window rows and timers in snapshots). */
export function parseWindowNamespace(ns: string): { start: number; end: number } {
  const i = ns.indexOf(':');
  return { start: Number(ns.slice(0, i)), end: Number(ns.slice(i + 1)) };
}
