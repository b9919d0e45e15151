/**
 * Channels between two subtasks of one slot (one worker thread, or one process): the producer's
 * element reaches the consumer as it is, with no structured clone through a MessagePort. The
 * ends speak the part of MessagePort's interface that the partition writer and the local channel
 * reader use, so those two do not know which kind they have. Delivery is asynchronous and in
 * order, as a port's is (a microtask, not a task), so neither end runs inside the other's call.
 *
 * Elements are handed over by reference, as between the embedded executor's tasks: the record
 * writer starts a new batch array after every emit, and records are not copied between tasks.
 */

import { ChannelPairs } from './channel-pairs';

/** What a local channel end needs of a MessagePort. */
export interface LocalChannelPort {
  postMessage(value: unknown): void;
  // `any`, as MessagePort's own signature has it: each end knows what its channel carries.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: 'message', listener: (value: any) => void): unknown;
  close(): void;
}

class SameWorkerPort implements LocalChannelPort {
  other!: SameWorkerPort;
  private listener?: (value: unknown) => void;
  private readonly queue: unknown[] = [];
  private scheduled = false;
  private closed = false;
  private readonly deliver = () => {
    this.scheduled = false;
    // Elements posted while delivering go out in the next round (in order, after these).
    const n = this.queue.length;
    for (let i = 0; i < n && !this.closed; i++) this.listener?.(this.queue[i]);
    this.queue.splice(0, n);
    if (this.queue.length > 0) this.schedule();
  };

  postMessage(value: unknown): void {
    const to = this.other;
    if (this.closed || to.closed) return;
    to.queue.push(value);
    to.schedule();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(_event: 'message', listener: (value: any) => void): this {
    this.listener = listener as (value: unknown) => void;
    if (this.queue.length > 0) this.schedule();
    return this;
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }

  private schedule(): void {
    if (this.scheduled || this.listener === undefined) return;
    this.scheduled = true;
    queueMicrotask(this.deliver);
  }
}

/** A connected pair: what one end posts, the other end's listener receives. */
export function sameWorkerChannel(): [LocalChannelPort, LocalChannelPort] {
  const a = new SameWorkerPort();
  const b = new SameWorkerPort();
  a.other = b;
  b.other = a;
  return [a, b];
}

/**
 * The channels of a worker's subtasks with each other: whichever end is deployed first makes the
 * pair, the other takes its half (keys: ChannelPairs.key).
 */
export class SameWorkerChannels extends ChannelPairs<LocalChannelPort> {
  constructor() {
    super(sameWorkerChannel, 'same-worker channel');
  }
}
