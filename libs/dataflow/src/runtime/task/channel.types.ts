/**
 * Transport seams of a task. The embedded executor plugs in in-process queues; a TaskManager
 * plugs in worker-thread channels or JetStream. Elements of one channel arrive in order.
 */
import type { StreamElement } from '../../core/stream-element.types';

export interface InputItem {
  readonly channel: number;
  readonly element: StreamElement;
}

export interface InputGate {
  readonly numberOfChannels: number;
  /** Logical input (0/1) that a channel feeds. */
  inputOf(channel: number): number;
  /**
   * Next element of any channel. Returns synchronously when one is queued; otherwise a promise
   * that resolves with the next element, or with undefined after `timeoutMs` (processing timers).
   */
  next(timeoutMs?: number): InputItem | Promise<InputItem | undefined>;
  /** Releases a blocked next() (job cancelled or failed). */
  abort(): void;
  /**
   * The transport behind a channel broke (a JetStream read failed, its consumer vanished): once the
   * queued elements are taken, next() rejects with the cause, so the task fails with it instead
   * of waiting on input that will never come.
   */
  fail?(cause: Error): void;
}

export interface ResultPartitionWriter {
  readonly numberOfChannels: number;
  emit(channel: number, element: StreamElement): void;
  /** Resolves when every consumer has room again (backpressure); undefined when it already has. */
  awaitCapacity(): Promise<void> | undefined;
  abort(): void;
}
