/**
 * ExchangeIo of a slot's worker: every call goes to the TaskManager as a message over the slot
 * transport (slot-io.messages.ts); the worker has no NATS connection of its own. Publishes and
 * credits made in one turn of the event loop go as one message, their bytes packed in one buffer.
 */
import type { CheckpointId, JobId, WrittenState } from '@runnel/protocol';
import type { ExchangeConsumer, ExchangeConsumerRequest, ExchangeIo, ExchangeSubscription } from '../exchange/exchange-io.port';
import { PackedBytes, SlotIoError, SlotIoReply, SlotIoRequest, packBytes, unpackBytes } from './slot-io.messages';

/** Sends a request; `transfer` lists buffers that may move instead of being copied. */
export type SlotIoPost = (request: SlotIoRequest, transfer: ArrayBuffer[]) => void;

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

export class SlotIoRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlotIoRefusedError';
  }
}

export class SlotExchangeIo implements ExchangeIo {
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<number, (bytes: Uint8Array) => void>();
  private nextId = 1;
  private publishSubjects: string[] = [];
  private publishParts: Uint8Array[] = [];
  private publishWaiters: Pending[] = [];
  private sendSubjects: string[] = [];
  private sendParts: Uint8Array[] = [];
  private flushScheduled = false;
  /** A refused subscription: later publishes fail with it (the writer would otherwise wait for credits forever). */
  private refused?: Error;
  private closed = false;

  constructor(private readonly post: SlotIoPost) {}

  publish(subject: string, bytes: Uint8Array): Promise<void> {
    if (this.refused) return Promise.reject(this.refused);
    return new Promise<void>((resolve, reject) => {
      this.publishSubjects.push(subject);
      this.publishParts.push(bytes);
      this.publishWaiters.push({ resolve: resolve as (value: unknown) => void, reject });
      this.scheduleFlush();
    });
  }

  send(subject: string, bytes: Uint8Array): void {
    this.sendSubjects.push(subject);
    this.sendParts.push(bytes);
    this.scheduleFlush();
  }

  subscribe(subject: string, onMessage: (bytes: Uint8Array) => void): ExchangeSubscription {
    const sid = this.nextId++;
    this.handlers.set(sid, onMessage);
    this.request({ op: 'subscribe', id: this.nextId++, sid, subject }).catch((error: Error) => (this.refused ??= error));
    let open = true;
    return {
      unsubscribe: () => {
        if (!open) return;
        open = false;
        this.handlers.delete(sid);
        if (!this.closed) this.post({ op: 'unsubscribe', sid }, []);
      },
    };
  }

  async consume(request: ExchangeConsumerRequest): Promise<ExchangeConsumer> {
    const cid = (await this.request((id) => ({ op: 'consume', id, request }))) as number;
    let stopped = false;
    return {
      fetch: async (max, ack) => {
        if (stopped) return [];
        const packed = (await this.request((id) => ({ op: 'fetch', id, cid, max, ack }))) as PackedBytes;
        return unpackBytes(packed);
      },
      stop: () => {
        if (stopped) return;
        stopped = true;
        if (!this.closed) this.post({ op: 'stop', cid }, []);
      },
    };
  }

  async writeState(jobId: JobId, checkpointId: CheckpointId, vertexId: string, subtask: number, bytes: Uint8Array): Promise<WrittenState> {
    // A copy of its own to transfer: `bytes` may be a view of the encoder's reused buffer.
    const copy = new Uint8Array(bytes);
    return (await this.request((id) => ({ op: 'write-state', id, jobId, checkpointId, vertexId, subtask, bytes: copy }), [copy.buffer as ArrayBuffer])) as WrittenState;
  }

  async readState(handle: string, checksum: string): Promise<Uint8Array> {
    return (await this.request((id) => ({ op: 'read-state', id, handle, checksum }))) as Uint8Array;
  }

  /** An answer or a subscription's message from the TaskManager. */
  onReply(reply: SlotIoReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.error) pending.reject(toError(reply.error));
    else pending.resolve(reply.value);
  }

  onMessage(sid: number, bytes: Uint8Array): void {
    this.handlers.get(sid)?.(bytes);
  }

  async close(): Promise<void> {
    this.flush();
    this.closed = true;
    const gone = new Error('the slot worker is closing');
    for (const p of this.pending.values()) p.reject(gone);
    this.pending.clear();
    this.handlers.clear();
  }

  private request(make: SlotIoRequest | ((id: number) => SlotIoRequest), transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the slot worker is closing'));
    const request = typeof make === 'function' ? make(this.nextId++) : make;
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set((request as { id: number }).id, { resolve, reject });
      this.post(request, transfer);
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Everything a task emits in this turn (one batch to every channel, say) goes as one message.
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.closed) return;
    if (this.sendSubjects.length > 0) {
      const bytes = packBytes(this.sendParts);
      this.post({ op: 'send', subjects: this.sendSubjects, bytes }, [bytes.buffer]);
      this.sendSubjects = [];
      this.sendParts = [];
    }
    if (this.publishSubjects.length > 0) {
      const bytes = packBytes(this.publishParts);
      const waiters = this.publishWaiters;
      const subjects = this.publishSubjects;
      this.publishSubjects = [];
      this.publishParts = [];
      this.publishWaiters = [];
      const id = this.nextId++;
      this.pending.set(id, {
        resolve: (errors) => {
          const failed = errors as readonly (SlotIoError | null)[] | undefined;
          waiters.forEach((w, i) => (failed?.[i] ? w.reject(toError(failed[i]!)) : w.resolve(undefined)));
        },
        reject: (error) => waiters.forEach((w) => w.reject(error)),
      });
      this.post({ op: 'publish', id, subjects, bytes }, [bytes.buffer]);
    }
  }
}

function toError(e: SlotIoError): Error {
  if (e.name === 'SlotIoRefusedError') return new SlotIoRefusedError(e.message);
  return Object.assign(new Error(e.message), { name: e.name });
}
