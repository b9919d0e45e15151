/**
 * The window operator's keyed state: per key one entry with its windows (or panes) as parallel
 * arrays of numbers — start, end — and accumulators, kept sorted by start. A record costs one Map
 * lookup by the key and a scan of a handful of numbers; the key's group is hashed once, when the
 * entry is created, not per record. Snapshots write one row per key group in the generic
 * keyed-state layout (grouped by key group, so rescaling redistributes them) holding its keys'
 * windows and aligned timers as columns (window.columns.ts). A row per key [key, "*", [starts,
 * ends, accumulators]] and per window [key, "start:end", accumulator] of earlier savepoints
 * restore too.
 */
import { assignToKeyGroup, keyGroupRangeContains, stateKeyOf, type KeyGroupRange } from '../../core/key-group.assignment';
import type { KeyedStateSnapshot, StateTableSnapshot } from '../state/state-snapshot.types';
import { WINDOW_COLUMNS, WindowColumnsWriter, readWindowColumns } from './window.columns';

export class KeyWindows {
  // Replaced, not pushed to, when the first window comes (see insert).
  starts: number[] = [];
  ends: number[] = [];
  accs: unknown[] = [];
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
  /** WindowOperator.snapshotState: this entry's pending aligned timers, until its row is written. */
  snapshotFire: number[] | undefined = undefined;
  snapshotCleanup: number[] | undefined = undefined;
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
    if (i === 0) {
      // Most keys hold one window or a few: a first push would allocate room for 17 in each of
      // the three arrays, and that state outlives the young generation (q7: 60K keys per run).
      this.starts = [start];
      this.ends = [end];
      this.accs = [acc];
      return 0;
    }
    if (s[i - 1] < start) {
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
   * One row per key group into `into` under table `name` (kind 'internal', like StateTable):
   * every key's windows and the aligned timers the operator put in `snapshotFire` and
   * `snapshotCleanup` (cleared here), as columns (window.columns.ts). A row per key and window,
   * and then a row per key, cost most of a checkpoint's synchronous part and its encoding.
   * Accumulators are referenced, as before: the caller encodes the snapshot before the next
   * record (a TaskManager) or keeps it only for a restore that replaces this state.
   */
  snapshotInto(into: KeyedStateSnapshot, name: string): void {
    const writers: WindowColumnsWriter[] = [];
    for (const e of this.entries.values()) {
      const fire = e.snapshotFire;
      const cleanup = e.snapshotCleanup;
      if (e.size === 0 && fire === undefined && cleanup === undefined) continue;
      (writers[e.keyGroup] ??= new WindowColumnsWriter()).add(e, fire, cleanup);
      e.snapshotFire = undefined;
      e.snapshotCleanup = undefined;
    }
    for (let kg = 0; kg < writers.length; kg++) {
      const w = writers[kg];
      if (w === undefined) continue;
      const g = (into.groups[kg] ??= { tables: {} });
      (g.tables[name] ??= { kind: 'internal', rows: [] }).rows.push(w.row());
    }
  }

  /**
   * Loads the rows of one key group's table: column rows ("#", with the aligned timers, handed to
   * `onTimer`), a key's windows ("*", earlier versions) or one window ("start:end", older ones).
   */
  restoreRows(keyGroup: number, snap: StateTableSnapshot, onTimer?: (e: KeyWindows, kind: 'fire' | 'cleanup', timestamp: number) => void): void {
    const entry = (key: unknown): KeyWindows => {
      const sk = stateKeyOf(key);
      let e = this.entries.get(sk);
      if (e === undefined) this.entries.set(sk, (e = new KeyWindows(key, sk, keyGroup)));
      return e;
    };
    for (const [key, ns, value] of snap.rows) {
      if (ns === WINDOW_COLUMNS) {
        readWindowColumns(value, {
          window: (k, start, end, acc) => entry(k).put(start, end, acc),
          key: (k) => void entry(k),
          timer: (k, kind, ts) => {
            if (onTimer === undefined) throw new Error(`window state of key group ${keyGroup} has timers, but no timers are restored here`);
            onTimer(entry(k), kind, ts);
          },
        });
        continue;
      }
      const e = entry(key);
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
  restore(snapshot: KeyedStateSnapshot, name: string, range: KeyGroupRange, onTimer?: (e: KeyWindows, kind: 'fire' | 'cleanup', timestamp: number) => void): void {
    for (const [kgText, g] of Object.entries(snapshot.groups)) {
      const kg = Number(kgText);
      const t = g.tables[name];
      if (t !== undefined && keyGroupRangeContains(range, kg)) this.restoreRows(kg, t, onTimer);
    }
  }
}

/** "start:end" → numbers (the namespace text of window rows and timers in snapshots). */
export function parseWindowNamespace(ns: string): { start: number; end: number } {
  const i = ns.indexOf(':');
  return { start: Number(ns.slice(0, i)), end: Number(ns.slice(i + 1)) };
}
