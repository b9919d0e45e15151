/**
 * One key group's windows and aligned timers as columns: a single snapshot row
 * `[null, "#", { keys, nums, accs }]` instead of two rows per key ([key, "*", [starts, ends,
 * accs]] and [key, "fire", timestamps]).
 *
 * Why: q5's checkpoint every second wrote 18K keys per subtask as 36K rows of 5 small arrays,
 * with every window bound and timer a 9-byte float (1.7e12 ms), 1.36 MB, of which timers were
 * 61%. Building and encoding that ran on the task's thread, so it came straight off the
 * throughput. Here a key costs its key, one absolute time, and small deltas (1–3 bytes
 * each) in one flat array of numbers, which msgpack encodes without an object per key.
 *
 * `nums`, per key in `keys` order: w (windows), base − the previous key's base (0 for the
 * first key; base is the first window's start, or the first timer when the key has no window:
 * keys of a group mostly share it), w start deltas (each from the previous start, the first
 * from base), w lengths (end − start), f fire timers, f offsets from base, c cleanup timers, c
 * offsets from base. `accs`: the w accumulators of each key, in order. Every value is an
 * integer in ms, so the sums are exact.
 */
/** Namespace of a key group's column row (a per-key row has "*" or "start:end"). */
export const WINDOW_COLUMNS = '#';

export interface WindowColumns {
  keys: unknown[];
  nums: number[];
  accs: unknown[];
}

/** What the writer needs of a key's entry (WindowStore's KeyWindows). */
export interface ColumnEntry {
  readonly key: unknown;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  readonly accs: readonly unknown[];
}

export class WindowColumnsWriter {
  private readonly columns: WindowColumns = { keys: [], nums: [], accs: [] };
  private lastBase = 0;

  /** Appends a key's windows and its pending fire and cleanup timers (either may be undefined). */
  add(e: ColumnEntry, fire: readonly number[] | undefined, cleanup: readonly number[] | undefined): void {
    const { keys, nums, accs } = this.columns;
    const { starts, ends } = e;
    const w = starts.length;
    const base = w > 0 ? starts[0] : fire !== undefined && fire.length > 0 ? fire[0] : cleanup !== undefined && cleanup.length > 0 ? cleanup[0] : 0;
    keys.push(e.key);
    nums.push(w, base - this.lastBase);
    this.lastBase = base;
    let prev = base;
    for (let i = 0; i < w; i++) {
      nums.push(starts[i] - prev);
      prev = starts[i];
    }
    for (let i = 0; i < w; i++) nums.push(ends[i] - starts[i]);
    for (let i = 0; i < w; i++) accs.push(e.accs[i]);
    pushOffsets(nums, fire, base);
    pushOffsets(nums, cleanup, base);
  }

  get isEmpty(): boolean {
    return this.columns.keys.length === 0;
  }

  row(): [unknown, string, unknown] {
    return [null, WINDOW_COLUMNS, this.columns];
  }
}

function pushOffsets(nums: number[], timers: readonly number[] | undefined, base: number): void {
  if (timers === undefined) {
    nums.push(0);
    return;
  }
  nums.push(timers.length);
  for (let i = 0; i < timers.length; i++) nums.push(timers[i] - base);
}

/** Visits what a column row holds, key by key. */
export interface ColumnVisitor {
  window(key: unknown, start: number, end: number, acc: unknown): void;
  timer(key: unknown, kind: 'fire' | 'cleanup', timestamp: number): void;
  /** A key with timers and no window (its windows are in an older store, see WindowOperator). */
  key(key: unknown): void;
}

export function readWindowColumns(value: unknown, visit: ColumnVisitor): void {
  const { keys, nums, accs } = value as WindowColumns;
  let n = 0;
  let a = 0;
  let base = 0;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    const w = nums[n++];
    base += nums[n++];
    const startsAt = n;
    n += 2 * w;
    let start = base;
    for (let i = 0; i < w; i++) {
      start += nums[startsAt + i];
      visit.window(key, start, start + nums[startsAt + w + i], accs[a++]);
    }
    if (w === 0) visit.key(key);
    for (const kind of ['fire', 'cleanup'] as const) {
      const count = nums[n++];
      for (let i = 0; i < count; i++) visit.timer(key, kind, base + nums[n++]);
    }
  }
  if (n !== nums.length || a !== accs.length) throw new Error(`window state columns are inconsistent (${n} of ${nums.length} numbers, ${a} of ${accs.length} accumulators read)`);
}
