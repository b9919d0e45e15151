/**
 * Keyed event-time and processing-time timers of one operator. Timers are deduplicated per
 * (key, namespace, timestamp), fire in timestamp order with their key set as the current key, and
 * are part of the keyed snapshot (grouped by key group). They live in TimerQueues (bucketed by
 * timestamp), so registering builds no id string and the key is never hashed again.
 */
import { keyGroupRangeContains, stateKeyOf } from '../../core/key-group.assignment';
import type { KeyedStateBackend } from './keyed-state.backend';
import type { KeyedStateSnapshot } from './state-snapshot.types';
import type { InternalTimer } from './timer-heap';
import { TimerQueue, type QueuedTimer } from './timer-queue';

export interface TimerTarget {
  onEventTime(timer: InternalTimer): void;
  onProcessingTime(timer: InternalTimer): void;
}

export class InternalTimerService {
  private readonly event = new TimerQueue<string>();
  private readonly proc = new TimerQueue<string>();
  currentWatermark = Number.NEGATIVE_INFINITY;
  private readonly fireEvent: (t: QueuedTimer<string>) => void;
  private readonly fireProc: (t: QueuedTimer<string>) => void;

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly target: TimerTarget,
    readonly clock: () => number,
  ) {
    this.fireEvent = (t) => {
      this.backend.setCurrentKeyWithGroup(t.key, t.keyGroup, t.stateKey);
      this.target.onEventTime(t);
    };
    this.fireProc = (t) => {
      this.backend.setCurrentKeyWithGroup(t.key, t.keyGroup, t.stateKey);
      this.target.onProcessingTime(t);
    };
  }

  registerEventTimeTimer(namespace: string, timestamp: number): void {
    const b = this.backend;
    this.event.add(b.currentKey, b.currentStateKey, b.currentKeyGroup, namespace, timestamp);
  }
  registerProcessingTimeTimer(namespace: string, timestamp: number): void {
    const b = this.backend;
    this.proc.add(b.currentKey, b.currentStateKey, b.currentKeyGroup, namespace, timestamp);
  }
  deleteEventTimeTimer(namespace: string, timestamp: number): void {
    this.event.delete(this.backend.currentStateKey, namespace, timestamp);
  }
  deleteProcessingTimeTimer(namespace: string, timestamp: number): void {
    this.proc.delete(this.backend.currentStateKey, namespace, timestamp);
  }

  /** Fires every event-time timer with timestamp ≤ watermark. */
  advanceWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    this.event.fireUpTo(watermark, this.fireEvent);
  }

  advanceProcessingTime(now: number): void {
    this.proc.fireUpTo(now, this.fireProc);
  }

  /** Earliest pending processing-time timer, so the task knows when to wake up. */
  nextProcessingTime(): number | undefined {
    return this.proc.peek();
  }

  hasProcessingTimers(): boolean {
    return this.proc.size > 0;
  }

  snapshot(into: KeyedStateSnapshot): void {
    const add = (domain: 'event-time' | 'processing-time', t: QueuedTimer<string>) => {
      const g = (into.groups[t.keyGroup] ??= { tables: {} });
      (g.timers ??= []).push({ domain, key: t.key, namespace: t.namespace, timestamp: t.timestamp });
    };
    for (const t of this.event.pending()) add('event-time', t);
    for (const t of this.proc.pending()) add('processing-time', t);
  }

  restore(snapshot: KeyedStateSnapshot): void {
    for (const [kgText, g] of Object.entries(snapshot.groups)) {
      const kg = Number(kgText);
      if (!g.timers || !keyGroupRangeContains(this.backend.keyGroupRange, kg)) continue;
      for (const r of g.timers) {
        const q = r.domain === 'event-time' ? this.event : this.proc;
        q.add(r.key, stateKeyOf(r.key), kg, r.namespace, r.timestamp);
      }
    }
  }
}
