/**
 * The TaskManager's side of a slot worker's NATS I/O: each request (slot-io.messages.ts) is checked
 * against the slot's SlotIoScope and run on the TaskManager's ExchangeIo; the answer goes back over
 * the slot transport. What the worker opened (consumers, subscriptions) ends with the worker.
 */
import type { ExchangeConsumer, ExchangeIo, ExchangeSubscription } from '../exchange/exchange-io.port';
import { SlotIoError, SlotIoReply, SlotIoRequest, packBytes, unpackBytes } from './slot-io.messages';
import type { SlotIoScope } from './slot-io.scope';

export interface SlotIoPeer {
  reply(reply: SlotIoReply, transfer?: ArrayBuffer[]): void;
  message(sid: number, bytes: Uint8Array): void;
}

export class SlotIoServer {
  private readonly consumers = new Map<number, ExchangeConsumer>();
  private readonly subscriptions = new Map<number, ExchangeSubscription>();
  private nextConsumer = 1;
  private closed = false;

  constructor(
    private readonly io: ExchangeIo,
    private readonly scope: SlotIoScope,
    private readonly peer: SlotIoPeer,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  handle(request: SlotIoRequest): void {
    if (this.closed) return;
    try {
      switch (request.op) {
        case 'publish':
          return this.publish(request.id, request.subjects, unpackBytes(request.bytes));
        case 'send': {
          const parts = unpackBytes(request.bytes);
          for (let i = 0; i < parts.length; i++) {
            this.scope.checkCreditSubject(request.subjects[i]);
            this.io.send(request.subjects[i], parts[i]);
          }
          return;
        }
        case 'subscribe':
          this.scope.checkCreditSubject(request.subject);
          this.subscriptions.set(request.sid, this.io.subscribe(request.subject, (bytes) => this.peer.message(request.sid, bytes)));
          return this.peer.reply({ id: request.id });
        case 'unsubscribe':
          this.subscriptions.get(request.sid)?.unsubscribe();
          this.subscriptions.delete(request.sid);
          return;
        case 'consume': {
          const { stream, durable, filterSubject, batch } = request.request;
          this.scope.checkConsumer(stream, durable, filterSubject);
          return this.answer(request.id, this.io.consume({ stream, durable, filterSubject, batch: clampBatch(batch) }).then((consumer) => {
            const cid = this.nextConsumer++;
            if (this.closed) consumer.stop();
            else this.consumers.set(cid, consumer);
            return cid;
          }));
        }
        case 'fetch': {
          const consumer = this.consumers.get(request.cid);
          if (!consumer) return this.peer.reply({ id: request.id, error: { name: 'Error', message: `no consumer ${request.cid} in this slot` } });
          consumer.fetch(clampBatch(request.max), request.ack).then(
            (messages) => {
              const packed = packBytes(messages);
              this.peer.reply({ id: request.id, value: packed }, [packed.buffer]);
            },
            (error: Error) => this.peer.reply({ id: request.id, error: wireError(error) }),
          );
          return;
        }
        case 'stop':
          this.consumers.get(request.cid)?.stop();
          this.consumers.delete(request.cid);
          return;
        case 'write-state': {
          const { jobId, checkpointId } = this.scope.checkStateWrite(request.jobId, request.checkpointId, request.vertexId, request.subtask);
          return this.answer(request.id, this.io.writeState(jobId, checkpointId, request.vertexId, request.subtask, request.bytes));
        }
        case 'read-state':
          this.scope.checkStateRead(request.handle);
          return this.answer(request.id, this.io.readState(request.handle, request.checksum));
        default:
          this.log(`slot worker sent an unknown I/O request: ${String((request as { op?: unknown }).op)}`);
      }
    } catch (error) {
      const id = (request as { id?: number }).id;
      this.log((error as Error).message);
      if (id !== undefined) this.peer.reply({ id, error: wireError(error as Error) });
    }
  }

  /** Ends the worker's consumers and subscriptions (the worker is gone or being ended). */
  close(): void {
    this.closed = true;
    for (const c of this.consumers.values()) c.stop();
    for (const s of this.subscriptions.values()) s.unsubscribe();
    this.consumers.clear();
    this.subscriptions.clear();
  }

  private publish(id: number, subjects: readonly string[], parts: Uint8Array[]): void {
    for (const subject of subjects) this.scope.checkDataSubject(subject);
    let failed: (SlotIoError | null)[] | undefined;
    let open = parts.length;
    const settle = () => {
      if (--open === 0) this.peer.reply({ id, ...(failed ? { value: failed } : {}) });
    };
    for (let i = 0; i < parts.length; i++) {
      this.io.publish(subjects[i], parts[i]).then(settle, (error: Error) => {
        failed ??= parts.map(() => null);
        failed[i] = wireError(error);
        settle();
      });
    }
    if (parts.length === 0) this.peer.reply({ id });
  }

  private answer(id: number, work: Promise<unknown>): void {
    work.then(
      (value) => this.peer.reply({ id, value }),
      (error: Error) => this.peer.reply({ id, error: wireError(error) }),
    );
  }
}

function clampBatch(n: number): number {
  return Number.isSafeInteger(n) && n > 0 ? Math.min(n, 1024) : 32;
}

function wireError(error: Error): SlotIoError {
  return { name: error?.name ?? 'Error', message: error?.message ?? String(error) };
}
