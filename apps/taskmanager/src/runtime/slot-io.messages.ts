/**
 * The NATS I/O of a slot's worker, as messages to its TaskManager (slot-io.client.ts sends them,
 * slot-io.server.ts answers). Bytes travel as one ArrayBuffer per message with the length of
 * each part (transferred to and from a thread, cloned over a process's IPC channel): no JSON and
 * no message per record.
 */
import type { ExchangeConsumerRequest } from '../exchange/exchange-io.port';

/** Parts of one message: `lengths[i]` bytes each, one after the other in `buffer`. */
export interface PackedBytes {
  readonly lengths: Uint32Array;
  readonly buffer: ArrayBuffer;
}

export type SlotIoRequest =
  /** JetStream publishes (one per subject and part); answered once all are stored or failed. */
  | { readonly op: 'publish'; readonly id: number; readonly subjects: readonly string[]; readonly bytes: PackedBytes }
  /** Core publishes (credits); not answered. */
  | { readonly op: 'send'; readonly subjects: readonly string[]; readonly bytes: PackedBytes }
  | { readonly op: 'subscribe'; readonly id: number; readonly sid: number; readonly subject: string }
  | { readonly op: 'unsubscribe'; readonly sid: number }
  | { readonly op: 'consume'; readonly id: number; readonly request: ExchangeConsumerRequest }
  | { readonly op: 'fetch'; readonly id: number; readonly cid: number; readonly max: number; readonly ack: number }
  | { readonly op: 'stop'; readonly cid: number }
  | { readonly op: 'write-state'; readonly id: number; readonly jobId: string; readonly checkpointId: number; readonly vertexId: string; readonly subtask: number; readonly bytes: Uint8Array }
  | { readonly op: 'read-state'; readonly id: number; readonly handle: string; readonly checksum: string };

export interface SlotIoError {
  readonly name: string;
  readonly message: string;
}

/**
 * The answer to a request with an `id`: publish — the error of each publish that failed (null
 * for the stored ones), or none; consume — the consumer's `cid`; fetch — the messages
 * (PackedBytes); write-state — the WrittenState; read-state — the bytes.
 */
export interface SlotIoReply {
  readonly id: number;
  readonly error?: SlotIoError;
  readonly value?: unknown;
}

/** Packs parts into one buffer (one copy: parts may be views of a larger, reused buffer). */
export function packBytes(parts: readonly Uint8Array[]): PackedBytes {
  const lengths = new Uint32Array(parts.length);
  let total = 0;
  for (let i = 0; i < parts.length; i++) {
    lengths[i] = parts[i].byteLength;
    total += parts[i].byteLength;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return { lengths, buffer: out.buffer };
}

/** The parts again, as views of the one buffer (no copy). */
export function unpackBytes(packed: PackedBytes): Uint8Array[] {
  const parts: Uint8Array[] = new Array(packed.lengths.length);
  let offset = 0;
  for (let i = 0; i < packed.lengths.length; i++) {
    parts[i] = new Uint8Array(packed.buffer, offset, packed.lengths[i]);
    offset += packed.lengths[i];
  }
  return parts;
}
