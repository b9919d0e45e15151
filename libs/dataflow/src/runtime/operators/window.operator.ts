/**
 * Keyed window operator for tumbling, sliding and session windows in event or processing time.
 * A window fires at its max timestamp, fires again for late-but-allowed elements, and is cleared
 * at max timestamp + allowed lateness. Session windows merge on arrival (touching windows merge,
 * as in Flink).
 *
 * The per-record path allocates nothing and builds no string: windows are numbers (start, end)
 * in a per-key entry of a WindowStore, the assigner writes window starts into a reused scratch
 * array, the key's group is hashed once per entry, and timers are (key, window start, timestamp)
 * in timestamp buckets. Sliding windows with an AggregateFunction that has merge() keep one
 * accumulator per pane — gcd(size, slide) — instead of one per window, so a record
 * updates one accumulator, not size/slide of them; a window combines its panes when it fires.
 *
 * Snapshots use the generic keyed-state layout: table "window-contents" for windows,
 * "window-panes" for panes, a row per key group holding its keys' windows and aligned timers as
 * columns (window.columns.ts); session windows' timers have namespace "start:end". Earlier
 * savepoints (a row per key and a "window-timers" row per key and kind; before that a row per
 * window and every timer as a "start:end" timer row) restore too; the
 * older per-window sliding state restores into pane mode as whole windows that are combined
 * with the panes of records that come after it.
 */
import { DataflowError, DataflowErrorCode, StateAccessError } from '../../core/dataflow.errors';
import { keyGroupRangeContains, stateKeyOf } from '../../core/key-group.assignment';
import { NO_TIMESTAMP } from '../../core/stream-element.types';
import type { ProcessWindowFunction, WindowContext } from '../../api/functions.types';
import { TimeWindow, windowStartWithOffset } from '../../time/time-window';
import { SlidingWindowAssigner, windowAssignerFromConfig, type WindowAssigner, type WindowAssignerConfig } from '../../time/window-assigner.types';
import { AbstractStreamOperator, TimestampedCollector } from '../abstract-stream.operator';
import type { OperatorContext } from '../operator.types';
import type { KeyedStateSnapshot, OperatorStateSnapshot } from '../state/state-snapshot.types';
import { TimerQueue, type QueuedTimer } from '../state/timer-queue';
import { internalAggregate, type InternalAggregate, type WindowFunctionKind } from './window.functions';
import { AlignedWindowTimers } from './window.timers';
import { KeyWindows, WindowStore, parseWindowNamespace } from './window.store';
import { WINDOW_CONTENTS_TABLE, WINDOW_PANES_TABLE, WINDOW_TIMERS_TABLE, hasPanes, pushWindowTimer, withoutWindowState, type AlignedTimerKind } from './window.snapshot';

interface WindowConfig {
  assigner: WindowAssignerConfig;
  allowedLateness: number;
  lateTag: string | null;
  function: WindowFunctionKind;
  hasWindowFunction: boolean;
}

export class WindowOperator extends AbstractStreamOperator {
  private config!: WindowConfig;
  private assigner!: WindowAssigner;
  private agg!: InternalAggregate;
  private eventTime = true;
  private lateness = 0;
  private size = 0;
  private slide = 0;
  private offset = 0;
  /** Pane length in pane mode, 0 otherwise. */
  private pane = 0;
  private merging = false;
  /** Event-time tumbling or sliding windows: timers in AlignedWindowTimers. */
  private aligned = false;
  private windowFn?: ProcessWindowFunction<unknown, unknown, unknown, TimeWindow>;
  private collector!: TimestampedCollector<unknown>;
  private wctx!: WindowContext<TimeWindow> & { window: TimeWindow };
  private readonly single: unknown[] = [undefined];
  private starts!: Float64Array;
  private store!: WindowStore;
  /** Pane mode only: whole windows restored from a per-window savepoint (see the file comment). */
  private legacy?: WindowStore;
  /** Aligned windows: fire and cleanup (max timestamp + allowed lateness) timers. */
  private readonly fireTimers = new AlignedWindowTimers();
  private readonly cleanupTimers = new AlignedWindowTimers();
  private readonly onFireTimer = (e: KeyWindows, ts: number) => this.onAlignedFire(e, ts);
  private readonly onCleanupTimer = (e: KeyWindows, ts: number) => this.onAlignedCleanup(e, ts);
  /** Session windows in event time. */
  private readonly eventTimers = new TimerQueue<number>();
  private readonly procTimers = new TimerQueue<number>();
  private readonly onEventTimer = (t: QueuedTimer<number>) => this.onWindowTimer(t, true);
  private readonly onProcTimer = (t: QueuedTimer<number>) => this.onWindowTimer(t, false);
  /** Elements dropped because they were later than the allowed lateness (a metric). */
  numLateRecordsDropped = 0;

  override setup(ctx: OperatorContext): void {
    super.setup(ctx);
    // Read here, not in open(): restoring state (before open) depends on the mode.
    this.config = ctx.descriptor.config as unknown as WindowConfig;
    this.assigner = windowAssignerFromConfig(this.config.assigner);
    this.agg = internalAggregate(this.config.function, ctx.functions);
    this.eventTime = this.assigner.isEventTime;
    this.lateness = this.config.allowedLateness;
    this.merging = this.assigner.isMerging;
    this.aligned = this.eventTime && !this.merging;
    const a = this.config.assigner;
    this.size = this.assigner.windowSize;
    this.slide = a.type === 'sliding' ? a.slide : this.size;
    this.offset = a.type === 'session' ? 0 : a.offset;
    const paneSize = this.assigner instanceof SlidingWindowAssigner ? this.assigner.paneSize : 0;
    // Panes pay off when a record would otherwise update several windows. They need an aggregate
    // with merge(), whose contract says the second argument is not modified (a pane is combined
    // into several windows). A ReduceFunction may modify either argument, so reduce keeps windows.
    const canMerge = this.config.function === 'aggregate' && this.agg.merge !== undefined;
    this.pane = canMerge && paneSize > 0 && this.size > this.slide ? paneSize : 0;
    this.starts = new Float64Array(this.assigner.maxWindowsPerElement);
    this.store = new WindowStore(ctx.maxParallelism);
  }

  override open(): void {
    this.collector = new TimestampedCollector(this.output);
    const c = this.collector;
    this.wctx = {
      window: new TimeWindow(0, 0),
      currentWatermark: () => this.currentWatermark,
      currentProcessingTime: () => this.ctx.clock(),
      output: (tag, value) => this.output.collectSide(tag.id, value, c.timestamp),
    };
    const windowFn = this.ctx.functions.windowFn as typeof this.windowFn;
    this.windowFn = windowFn && this.instance(windowFn);
    this.windowFn?.open?.(this.runtimeContext());
  }

  processElement(value: unknown, timestamp: number, input: number): void {
    const selector = this.keySelectors[input] ?? this.keySelectors[0];
    const key = selector(value);
    const stateKey = typeof key === 'object' && key !== null ? stateKeyOf(key) : key;
    let t = timestamp;
    if (this.eventTime) {
      if (timestamp === NO_TIMESTAMP) this.missingTimestamp();
    } else t = this.ctx.clock();
    const added = this.pane > 0 ? this.addToPane(value, key, stateKey, t) : this.merging ? this.addToSession(value, key, stateKey, t) : this.addToWindows(value, key, stateKey, t);
    if (!added) this.late(value, timestamp);
  }

  /**
   * Event-time tumbling and sliding windows take the whole batch in one loop: the record's
   * windows (or pane) are computed here, from the batch's array of event times, into the scratch
   * array, so the per-record path passes no timestamp through a call (a double crossing a call
   * that is not inlined is boxed: q7 allocated ~18 bytes per record for it).
   */
  processBatch(values: readonly unknown[], timestamps: readonly number[], input: number): void {
    if (!this.aligned) {
      for (let i = 0; i < values.length; i++) this.processElement(values[i], timestamps[i], input);
      return;
    }
    const selector = this.keySelectors[input] ?? this.keySelectors[0];
    const starts = this.starts;
    const { pane, offset, slide } = this;
    for (let i = 0; i < values.length; i++) {
      const t = timestamps[i];
      if (t === NO_TIMESTAMP) this.missingTimestamp();
      const value = values[i];
      const key = selector(value);
      const stateKey = typeof key === 'object' && key !== null ? stateKeyOf(key) : key;
      let added: boolean;
      if (pane > 0) {
        starts[0] = windowStartWithOffset(t, offset, pane);
        starts[1] = windowStartWithOffset(starts[0], offset, slide);
        added = this.addToPaneAt(value, key, stateKey);
      } else added = this.addToStarts(value, key, stateKey, this.assigner.assignStarts(t, starts));
      if (!added) this.late(value, t);
    }
  }

  private missingTimestamp(): never {
    throw new DataflowError(
      DataflowErrorCode.MissingWatermarks,
      `Window operator "${this.ctx.descriptor.name}" received a record without timestamp; assign timestamps with a WatermarkStrategy.`,
    );
  }

  /** Every window of the record was past its allowed lateness. */
  private late(value: unknown, timestamp: number): void {
    if (this.config.lateTag !== null) this.output.collectSide(this.config.lateTag, value, timestamp);
    else this.numLateRecordsDropped++;
  }

  /** Past its allowed lateness: the window was (or will never be) fired and is cleared. */
  private isLate(maxTimestamp: number): boolean {
    return this.eventTime && maxTimestamp + this.lateness <= this.currentWatermark;
  }

  /** Tumbling windows, and sliding windows without panes. False when every window was late. */
  private addToWindows(value: unknown, key: unknown, stateKey: unknown, t: number): boolean {
    return this.addToStarts(value, key, stateKey, this.assigner.assignStarts(t, this.starts));
  }

  /** The record into the `n` windows whose starts the assigner wrote into `this.starts`. */
  private addToStarts(value: unknown, key: unknown, stateKey: unknown, n: number): boolean {
    const size = this.size;
    let e: KeyWindows | undefined;
    let added = false;
    for (let w = 0; w < n; w++) {
      const start = this.starts[w];
      const maxTs = start + size - 1;
      if (this.isLate(maxTs)) continue;
      added = true;
      e ??= this.store.getOrCreate(key, stateKey);
      let i = e.indexOf(start);
      if (i < 0) {
        i = e.insert(start, start + size, this.agg.createAccumulator());
        this.registerTimers(e, start, maxTs);
      }
      e.accs[i] = this.agg.add(value, e.accs[i]);
      // Late-but-allowed element: the window already fired, so fire again with the update.
      if (this.eventTime && maxTs <= this.currentWatermark) this.fire(e, start, start + size);
    }
    return added;
  }

  /** Sliding windows in pane mode: the record updates its pane only. */
  private addToPane(value: unknown, key: unknown, stateKey: unknown, t: number): boolean {
    const starts = this.starts;
    starts[0] = windowStartWithOffset(t, this.offset, this.pane);
    starts[1] = windowStartWithOffset(starts[0], this.offset, this.slide);
    return this.addToPaneAt(value, key, stateKey);
  }

  /** The record into its pane, which starts at `this.starts[0]`; its last window at `this.starts[1]`. */
  private addToPaneAt(value: unknown, key: unknown, stateKey: unknown): boolean {
    const { size, slide, pane } = this;
    const p = this.starts[0];
    // The pane's windows start at lastStart, lastStart - slide, … (> p - size).
    const lastStart = this.starts[1];
    if (this.isLate(lastStart + size - 1)) return false;
    const e = this.store.getOrCreate(key, stateKey);
    let i = e.indexOf(p);
    const lateCandidate = this.eventTime && p + pane - 1 <= this.currentWatermark;
    if (i < 0 || lateCandidate) {
      // first: the earliest window of the pane that is not past its lateness.
      let first = lastStart;
      while (first - slide > p - size && !this.isLate(first - slide + size - 1)) first -= slide;
      if (i < 0) {
        i = e.insert(p, p + pane, this.agg.createAccumulator());
        this.registerPaneWindows(e, first, lastStart);
      }
      e.accs[i] = this.agg.add(value, e.accs[i]);
      // Late-but-allowed: windows of this pane that already fired fire again, oldest first.
      if (lateCandidate) for (let s = first; s <= lastStart; s += slide) if (s + size - 1 <= this.currentWatermark) this.fire(e, s, s + size);
      return true;
    }
    e.accs[i] = this.agg.add(value, e.accs[i]);
    return true;
  }

  /**
   * Timers of the windows [first, last] of a new pane. The key's consecutive panes share most
   * windows, so the range of starts already registered is remembered and only the rest is added.
   */
  private registerPaneWindows(e: KeyWindows, first: number, last: number): void {
    const { size, slide } = this;
    if (last >= e.regLo - slide && first <= e.regHi + slide) {
      for (let s = first; s < e.regLo && s <= last; s += slide) this.registerTimers(e, s, s + size - 1);
      for (let s = Math.max(first, e.regHi + slide); s <= last; s += slide) this.registerTimers(e, s, s + size - 1);
      if (first < e.regLo) e.regLo = first;
      if (last > e.regHi) e.regHi = last;
    } else {
      for (let s = first; s <= last; s += slide) this.registerTimers(e, s, s + size - 1);
      e.regLo = first;
      e.regHi = last;
    }
  }

  /** Session windows: [t, t + gap) merged with every session of the key it touches. */
  private addToSession(value: unknown, key: unknown, stateKey: unknown, t: number): boolean {
    let ms = t;
    let me = t + this.size;
    if (this.isLate(me - 1)) return false;
    const e = this.store.getOrCreate(key, stateKey);
    // Sessions of a key are sorted and disjoint, so the ones touching [ms, me] are one run.
    let i0 = -1;
    let i1 = -1;
    for (let i = 0; i < e.size; i++) {
      if (e.ends[i] < ms) continue;
      if (e.starts[i] > me) break;
      if (i0 < 0) i0 = i;
      i1 = i;
      if (e.starts[i] < ms) ms = e.starts[i];
      if (e.ends[i] > me) me = e.ends[i];
    }
    let i: number;
    if (i0 < 0) {
      i = e.insert(ms, me, this.agg.createAccumulator());
      this.registerTimers(e, ms, me - 1);
    } else if (i0 === i1 && e.starts[i0] === ms && e.ends[i0] === me) {
      i = i0;
    } else {
      let acc = this.agg.createAccumulator();
      for (let j = i0; j <= i1; j++) {
        acc = this.agg.merge!(acc, e.accs[j]);
        this.deleteTimers(e, e.starts[j], e.ends[j] - 1);
      }
      e.removeAt(i0, i1 - i0 + 1);
      i = e.insert(ms, me, acc);
      this.registerTimers(e, ms, me - 1);
    }
    e.accs[i] = this.agg.add(value, e.accs[i]);
    if (this.eventTime && me - 1 <= this.currentWatermark) this.fire(e, ms, me);
    return true;
  }

  private registerTimers(e: KeyWindows, start: number, maxTs: number): void {
    if (this.aligned) {
      if (maxTs > this.currentWatermark) this.fireTimers.add(maxTs, e);
      if (this.lateness > 0) this.cleanupTimers.add(maxTs + this.lateness, e);
    } else if (this.eventTime) {
      // A window already past the watermark fires right away (late-but-allowed) instead of by timer.
      if (maxTs > this.currentWatermark) this.eventTimers.add(e.key, e.stateKey, e.keyGroup, start, maxTs);
      if (this.lateness > 0) this.eventTimers.add(e.key, e.stateKey, e.keyGroup, start, maxTs + this.lateness);
    } else this.procTimers.add(e.key, e.stateKey, e.keyGroup, start, maxTs);
  }
  private deleteTimers(e: KeyWindows, start: number, maxTs: number): void {
    if (this.eventTime) {
      this.eventTimers.delete(e.stateKey, start, maxTs);
      if (this.lateness > 0) this.eventTimers.delete(e.stateKey, start, maxTs + this.lateness);
    } else this.procTimers.delete(e.stateKey, start, maxTs);
  }

  private endOf(e: KeyWindows, start: number): number {
    if (!this.merging) return start + this.size;
    const i = e.indexOf(start);
    return i < 0 ? Number.NaN : e.ends[i];
  }

  /** A window's max timestamp passed: fire it (and clear it when there is no allowed lateness). */
  private onAlignedFire(e: KeyWindows, ts: number): void {
    const start = ts + 1 - this.size;
    // Timers of one key fire in window order, so an earlier or equal start is a duplicate.
    if (e.released || start <= e.lastFired) return;
    e.lastFired = start;
    this.fire(e, start, start + this.size);
    if (this.lateness === 0) this.clear(e, start);
  }
  private onAlignedCleanup(e: KeyWindows, ts: number): void {
    const start = ts + 1 - this.size - this.lateness;
    if (e.released || start <= e.lastCleared) return;
    e.lastCleared = start;
    this.clear(e, start);
  }

  private onWindowTimer(t: QueuedTimer<number>, eventTime: boolean): void {
    const e = this.store.get(t.stateKey) ?? this.legacy?.get(t.stateKey);
    if (e === undefined) return;
    const start = t.namespace;
    const end = this.endOf(e, start);
    if (Number.isNaN(end)) return;
    if (!eventTime) {
      this.fire(e, start, end);
      this.clear(e, start);
      return;
    }
    if (t.timestamp === end - 1) this.fire(e, start, end);
    if (t.timestamp === end - 1 + this.lateness) this.clear(e, start);
  }

  private fire(e: KeyWindows, start: number, end: number): void {
    let acc: unknown;
    if (this.pane > 0) {
      const merge = this.agg.merge!;
      let found = false;
      const old = this.legacy?.get(e.stateKey);
      const li = old === undefined ? -1 : old.indexOf(start);
      if (li >= 0) {
        acc = merge(this.agg.createAccumulator(), old!.accs[li]);
        found = true;
      }
      const panes = this.store.get(e.stateKey);
      if (panes !== undefined) {
        for (let i = 0; i < panes.size; i++) {
          const p = panes.starts[i];
          if (p < start) continue;
          if (p >= end) break;
          acc = merge(found ? acc : this.agg.createAccumulator(), panes.accs[i]);
          found = true;
        }
      }
      if (!found) return;
    } else {
      const i = e.indexOf(start);
      if (i < 0) return;
      acc = e.accs[i];
    }
    const result = this.agg.getResult(acc);
    this.collector.timestamp = end - 1;
    if (this.windowFn) {
      this.backend!.setCurrentKeyWithGroup(e.key, e.keyGroup, e.stateKey);
      this.wctx.window = new TimeWindow(start, end);
      let elements: readonly unknown[];
      if (this.config.function === 'process') elements = result as unknown[];
      else {
        this.single[0] = result;
        elements = this.single;
      }
      this.windowFn.process(e.key, this.wctx, elements, this.collector);
    } else this.collector.collect(result);
  }

  /** The window is past its cleanup time: drop it (pane mode: the panes it was the last window of). */
  private clear(e: KeyWindows, start: number): void {
    if (this.pane > 0) {
      const panes = this.store.get(e.stateKey);
      if (panes !== undefined) {
        let n = 0;
        while (n < panes.size && panes.starts[n] < start + this.slide) n++;
        if (n > 0) panes.removeAt(0, n);
        this.store.releaseIfEmpty(panes);
      }
      const old = this.legacy?.get(e.stateKey);
      if (old !== undefined) {
        const i = old.indexOf(start);
        if (i >= 0) old.removeAt(i);
        this.legacy!.releaseIfEmpty(old);
      }
      return;
    }
    const i = e.indexOf(start);
    if (i >= 0) e.removeAt(i);
    this.store.releaseIfEmpty(e);
  }

  override processWatermark(watermark: number): void {
    if (watermark <= this.currentWatermark) return;
    this.currentWatermark = watermark;
    if (this.aligned) {
      // All fires first: a window's cleanup (later than its fire) never comes before it.
      this.fireTimers.fireUpTo(watermark, this.onFireTimer);
      if (this.lateness > 0) this.cleanupTimers.fireUpTo(watermark, this.onCleanupTimer);
    } else this.eventTimers.fireUpTo(watermark, this.onEventTimer);
    this.output.emitWatermark(watermark);
  }

  override nextProcessingTime(): number | undefined {
    return this.procTimers.peek();
  }
  override advanceProcessingTime(now: number): void {
    this.procTimers.fireUpTo(now, this.onProcTimer);
  }
  override finish(): void {
    if (this.procTimers.size > 0) this.advanceProcessingTime(Number.POSITIVE_INFINITY);
  }

  override snapshotState(checkpointId: number): OperatorStateSnapshot {
    const snap = super.snapshotState(checkpointId);
    const keyed = (snap.keyed ??= { groups: {} });
    const timers = (domain: 'event-time' | 'processing-time', q: TimerQueue<number>) => {
      for (const t of q.pending()) {
        const e = this.store.get(t.stateKey) ?? this.legacy?.get(t.stateKey);
        const end = e === undefined ? Number.NaN : this.endOf(e, t.namespace);
        pushWindowTimer(keyed, t.keyGroup, domain, t.key, t.namespace, Number.isNaN(end) ? t.timestamp + 1 : end, t.timestamp);
      }
    };
    timers('event-time', this.eventTimers);
    timers('processing-time', this.procTimers);
    // Aligned windows' timers go in their key's part of the window columns, not an object and a
    // "start:end" string per timer: there are about twice as many timers as windows.
    this.fireTimers.forEachPending((ts, e) => {
      if (ts + 1 - this.size <= e.lastFired) return;
      if (e.snapshotFire === undefined) e.snapshotFire = [ts];
      else e.snapshotFire.push(ts);
    });
    this.cleanupTimers.forEachPending((ts, e) => {
      if (ts + 1 - this.size - this.lateness <= e.lastCleared) return;
      if (e.snapshotCleanup === undefined) e.snapshotCleanup = [ts];
      else e.snapshotCleanup.push(ts);
    });
    this.store.snapshotInto(keyed, this.pane > 0 ? WINDOW_PANES_TABLE : WINDOW_CONTENTS_TABLE);
    this.legacy?.snapshotInto(keyed, WINDOW_CONTENTS_TABLE);
    return snap;
  }

  override initializeState(restored: OperatorStateSnapshot | undefined): void {
    if (!restored?.keyed) {
      super.initializeState(restored);
      return;
    }
    // Window tables and timers are this operator's; the rest (a window function's keyed state) is the backend's.
    super.initializeState({ ...restored, keyed: withoutWindowState(restored.keyed) });
    this.restoreWindows(restored.keyed);
  }

  private restoreWindows(snapshot: KeyedStateSnapshot): void {
    const range = this.backend!.keyGroupRange;
    if (hasPanes(snapshot) && this.pane === 0)
      throw new StateAccessError(
        `window operator "${this.ctx.descriptor.uid}": the snapshot holds sliding-window panes, but this window (its assigner or function changed?) does not aggregate by panes`,
      );
    const onTimer = (e: KeyWindows, kind: AlignedTimerKind, ts: number) => (kind === 'fire' ? this.fireTimers : this.cleanupTimers).add(ts, e);
    if (this.pane > 0) {
      this.store.restore(snapshot, WINDOW_PANES_TABLE, range, onTimer);
      const legacy = new WindowStore(this.ctx.maxParallelism);
      legacy.restore(snapshot, WINDOW_CONTENTS_TABLE, range);
      if (!legacy.isEmpty) this.legacy = legacy;
    } else this.store.restore(snapshot, WINDOW_CONTENTS_TABLE, range, onTimer);
    for (const [kgText, g] of Object.entries(snapshot.groups)) {
      const kg = Number(kgText);
      if (!keyGroupRangeContains(range, kg)) continue;
      // Earlier versions: a row per key and kind.
      for (const [key, kind, timestamps] of g.tables[WINDOW_TIMERS_TABLE]?.rows ?? []) {
        const e = this.store.getOrCreate(key, stateKeyOf(key));
        const q = (kind as AlignedTimerKind) === 'fire' ? this.fireTimers : this.cleanupTimers;
        for (const ts of timestamps as number[]) q.add(ts, e);
      }
      if (!g.timers) continue;
      for (const r of g.timers) {
        const { start, end } = parseWindowNamespace(r.namespace);
        if (this.aligned && r.domain === 'event-time') {
          const e = this.store.getOrCreate(r.key, stateKeyOf(r.key));
          if (r.timestamp === end - 1) this.fireTimers.add(r.timestamp, e);
          else this.cleanupTimers.add(r.timestamp, e);
          continue;
        }
        const q = r.domain === 'event-time' ? this.eventTimers : this.procTimers;
        q.add(r.key, stateKeyOf(r.key), kg, start, r.timestamp);
      }
    }
  }

  override close(): void {
    this.windowFn?.close?.();
  }
}
