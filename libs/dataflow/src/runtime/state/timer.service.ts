/**
 * Keyed event-time and processing-time timers of one operator. Timers are deduplicated per
 * (key, namespace, timestamp), fire in timestamp order with their key set as the current key, and
 * are part of the keyed snapshot (grouped by key group).
 */
import { keyGroupRangeContains, keyToText } from '../../core/key-group.assignment';
import type { KeyedStateBackend } from './keyed-state.backend';
import type { KeyedStateSnapshot } from './state-snapshot.types';
import { TimerHeap, type InternalTimer } from './timer-heap';

export interface TimerTarget {
  onEventTime(timer: InternalTimer): void;
  onProcessingTime(timer: InternalTimer): void;
}

export class InternalTimerService {
  private readonly eventHeap = new TimerHeap();
  private readonly procHeap = new TimerHeap();
  /** Live timers by id; heap entries absent from here were deleted (lazy deletion). */
  private readonly eventLive = new Map<string, InternalTimer>();
  private readonly procLive = new Map<string, InternalTimer>();
  private seq = 0;
  currentWatermark = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly target: TimerTarget,
    readonly clock: () => number,
  ) {}

  registerEventTimeTimer(namespace: string, timestamp: number): void {
    this.register(this.eventHeap, this.eventLive, namespace, timestamp);
  }
  registerProcessingTimeTimer(namespace: string, timestamp: number): void {
    this.register(this.procHeap, this.procLive, namespace, timestamp);
  }
  deleteEventTimeTimer(namespace: string, timestamp: number): void {
    this.eventLive.delete(this.idOf(namespace, timestamp));
  }
  deleteProcessingTimeTimer(namespace: string, timestamp: number): void {
    this.procLive.delete(this.idOf(namespace, timestamp));
  }

  private idOf(namespace: string, timestamp: number): string {
    return `${this.backend.currentKeyGroup}|${keyToText(this.backend.currentKey)}|${namespace}|${timestamp}`;
  }

  private register(heap: TimerHeap, live: Map<string, InternalTimer>, namespace: string, timestamp: number, key?: unknown, kg?: number): void {
    const id = key === undefined ? this.idOf(namespace, timestamp) : `${kg}|${keyToText(key)}|${namespace}|${timestamp}`;
    if (live.has(id)) return;
    const t: InternalTimer = {
      timestamp,
      key: key === undefined ? this.backend.currentKey : key,
      keyGroup: kg ?? this.backend.currentKeyGroup,
      namespace,
      id,
      seq: this.seq++,
    };
    live.set(id, t);
    heap.push(t);
  }

  /** Fires every event-time timer with timestamp ≤ watermark. */
  advanceWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    this.fire(this.eventHeap, this.eventLive, watermark, true);
  }

  advanceProcessingTime(now: number): void {
    this.fire(this.procHeap, this.procLive, now, false);
  }

  private fire(heap: TimerHeap, live: Map<string, InternalTimer>, upTo: number, event: boolean): void {
    for (let t = heap.peek(); t && t.timestamp <= upTo; t = heap.peek()) {
      heap.pop();
      if (live.get(t.id) !== t) continue;
      live.delete(t.id);
      this.backend.setCurrentKeyWithGroup(t.key, t.keyGroup);
      if (event) this.target.onEventTime(t);
      else this.target.onProcessingTime(t);
    }
  }

  /** Earliest pending processing-time timer, so the task knows when to wake up. */
  nextProcessingTime(): number | undefined {
    for (let t = this.procHeap.peek(); t; t = this.procHeap.peek()) {
      if (this.procLive.get(t.id) === t) return t.timestamp;
      this.procHeap.pop();
    }
    return undefined;
  }

  hasProcessingTimers(): boolean {
    return this.procLive.size > 0;
  }

  snapshot(into: KeyedStateSnapshot): void {
    const add = (domain: 'event-time' | 'processing-time', t: InternalTimer) => {
      const g = (into.groups[t.keyGroup] ??= { tables: {} });
      (g.timers ??= []).push({ domain, key: t.key, namespace: t.namespace, timestamp: t.timestamp });
    };
    for (const t of [...this.eventLive.values()].sort((a, b) => a.seq - b.seq)) add('event-time', t);
    for (const t of [...this.procLive.values()].sort((a, b) => a.seq - b.seq)) add('processing-time', t);
  }

  restore(snapshot: KeyedStateSnapshot): void {
    for (const [kgText, g] of Object.entries(snapshot.groups)) {
      const kg = Number(kgText);
      if (!g.timers || !keyGroupRangeContains(this.backend.keyGroupRange, kg)) continue;
      for (const r of g.timers) {
        if (r.domain === 'event-time') this.register(this.eventHeap, this.eventLive, r.namespace, r.timestamp, r.key, kg);
        else this.register(this.procHeap, this.procLive, r.namespace, r.timestamp, r.key, kg);
      }
    }
  }
}
