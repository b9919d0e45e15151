/**
 * How a task with input channels reacts to checkpoint barriers. Two implementations, chosen by
 * the checkpointing mode: `BarrierAligner` (exactly-once: block barriered channels until all
 * delivered the barrier) and `BarrierTracker` (at-least-once: never block, only count).
 */
import type { BarrierElement } from '../../core/stream-element.types';
import type { InputItem } from './channel.types';

export interface BarrierHandler {
  /** Elements held back by an alignment and now released, in per-channel order. */
  nextReplay(): InputItem | undefined;
  hasReplay(): boolean;
  /** False when the item must not be processed now (the handler keeps it for later). */
  accept(item: InputItem): boolean;
  onBarrier(channel: number, barrier: BarrierElement): void;
  onEndOfPartition(channel: number): void;
}
