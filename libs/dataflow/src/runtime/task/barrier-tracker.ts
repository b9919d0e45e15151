/**
 * At-least-once barrier handling (Flink's CheckpointBarrierTracker): channels are never blocked.
 * Records that arrive on a channel after its barrier are processed at once, so they may be part
 * of the snapshot *and* replayed after a restore — duplicates, never loss. The checkpoint is
 * taken when the last live channel delivered its barrier. Several checkpoints can be in flight;
 * completing one gives up the older unfinished ones (the coordinator times them out).
 */
import type { BarrierElement } from '../../core/stream-element.types';
import type { BarrierHandler } from './barrier-handler.types';
import type { InputItem } from './channel.types';

interface TrackedCheckpoint {
  readonly barrier: BarrierElement;
  readonly seen: boolean[];
}

export class BarrierTracker implements BarrierHandler {
  /** Ordered by checkpoint id. */
  private tracked: TrackedCheckpoint[] = [];
  private readonly ended: boolean[];
  private lastCompleted = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly channels: number,
    private readonly onAligned: (barrier: BarrierElement) => void,
  ) {
    this.ended = new Array<boolean>(channels).fill(false);
  }

  nextReplay(): InputItem | undefined {
    return undefined;
  }
  hasReplay(): boolean {
    return false;
  }
  accept(): boolean {
    return true;
  }

  onBarrier(channel: number, barrier: BarrierElement): void {
    if (barrier.checkpointId <= this.lastCompleted) return;
    let cp = this.tracked.find((t) => t.barrier.checkpointId === barrier.checkpointId);
    if (!cp) {
      cp = { barrier, seen: new Array<boolean>(this.channels).fill(false) };
      this.tracked.push(cp);
      this.tracked.sort((a, b) => a.barrier.checkpointId - b.barrier.checkpointId);
    }
    cp.seen[channel] = true;
    this.check(cp);
  }

  onEndOfPartition(channel: number): void {
    this.ended[channel] = true;
    // An ended channel will deliver no more barriers: it may complete checkpoints waiting on it.
    for (const cp of [...this.tracked]) this.check(cp);
  }

  private check(cp: TrackedCheckpoint): void {
    for (let c = 0; c < this.channels; c++) if (!cp.seen[c] && !this.ended[c]) return;
    const id = cp.barrier.checkpointId;
    this.lastCompleted = id;
    this.tracked = this.tracked.filter((t) => t.barrier.checkpointId > id);
    this.onAligned(cp.barrier);
  }
}
