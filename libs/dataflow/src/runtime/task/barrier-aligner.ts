/**
 * Exactly-once barrier alignment for a task with several input channels: once a channel delivers
 * the barrier of checkpoint n it is blocked (its later elements are buffered) until every other
 * live channel delivered the same barrier; then the task snapshots, forwards the barrier and
 * replays what was buffered. Ended channels do not hold a checkpoint back.
 */
import type { BarrierElement } from '../../core/stream-element.types';
import type { BarrierHandler } from './barrier-handler.types';
import type { InputItem } from './channel.types';

export class BarrierAligner implements BarrierHandler {
  private current?: BarrierElement;
  private readonly blocked: boolean[];
  private readonly ended: boolean[];
  private blockedCount = 0;
  private endedCount = 0;
  private buffered: InputItem[] = [];
  private replay: InputItem[] = [];
  private replayHead = 0;

  constructor(
    private readonly channels: number,
    private readonly onAligned: (barrier: BarrierElement) => void,
  ) {
    this.blocked = new Array<boolean>(channels).fill(false);
    this.ended = new Array<boolean>(channels).fill(false);
  }

  /** Buffered elements released by the last alignment, in per-channel order. */
  nextReplay(): InputItem | undefined {
    if (this.replayHead < this.replay.length) return this.replay[this.replayHead++];
    if (this.replay.length) {
      this.replay = [];
      this.replayHead = 0;
    }
    return undefined;
  }

  hasReplay(): boolean {
    return this.replayHead < this.replay.length;
  }

  /** False when the item's channel is blocked: the aligner keeps it for later. */
  accept(item: InputItem): boolean {
    if (this.current !== undefined && this.blocked[item.channel]) {
      this.buffered.push(item);
      return false;
    }
    return true;
  }

  onBarrier(channel: number, barrier: BarrierElement): void {
    if (this.current !== undefined && barrier.checkpointId > this.current.checkpointId) {
      // A newer checkpoint overtook an unfinished one: give the old one up (the coordinator times it out).
      this.release();
    }
    if (this.current === undefined) this.current = barrier;
    if (!this.blocked[channel]) {
      this.blocked[channel] = true;
      this.blockedCount++;
    }
    this.check();
  }

  onEndOfPartition(channel: number): void {
    if (this.ended[channel]) return;
    this.ended[channel] = true;
    if (!this.blocked[channel]) this.endedCount++;
    if (this.current !== undefined) this.check();
  }

  private check(): void {
    if (this.blockedCount + this.endedCount < this.channels) return;
    const barrier = this.current!;
    this.release();
    this.onAligned(barrier);
  }

  private release(): void {
    this.current = undefined;
    for (let c = 0; c < this.channels; c++) {
      if (this.blocked[c]) {
        this.blocked[c] = false;
        // A channel that ended while blocked counts as ended from now on.
        if (this.ended[c]) this.endedCount++;
      }
    }
    this.blockedCount = 0;
    this.replay = this.replay.slice(this.replayHead).concat(this.buffered);
    this.replayHead = 0;
    this.buffered = [];
  }
}
