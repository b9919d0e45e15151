/**
 * Nest's NATS transport wraps messages in its own packets ({id, pattern, data} / {id, response}).
 * Runnel's wire format is plain JSON requests and reply envelopes, so any NATS client (the CLI,
 * another language, `nats req`) can talk to a service. These two adapt Nest to that format.
 */
import { ConsumerDeserializer, ConsumerSerializer, IncomingEvent, IncomingRequest, OutgoingResponse } from '@nestjs/microservices';
import { ValidationError } from '../errors/runnel-errors';
import { toWireError } from '../errors/wire-error';
import { ErrorCodes } from '../errors/error-codes';
import { isReplyEnvelope } from '../rpc/reply-envelope';
import { decodeJson, encodeJson } from './json-codec';

/** Stands in for a payload that was not JSON, so the handler can answer with a validation error. */
export class MalformedPayload {
  constructor(readonly reason: string) {}

  toValidationError(subject: string): ValidationError {
    return new ValidationError(`Invalid message on ${subject}: ${this.reason}`, [
      { field: '', problems: [this.reason] },
    ]);
  }
}

export class RpcRequestDeserializer implements ConsumerDeserializer {
  deserialize(value: Uint8Array, options?: { channel?: string; replyTo?: string }): IncomingRequest | IncomingEvent {
    let data: unknown;
    try {
      data = decodeJson(value);
    } catch (error) {
      data = new MalformedPayload(`payload is not valid JSON (${(error as Error).message})`);
    }
    const pattern = options?.channel ?? '';
    // Nest treats a packet without id as a fire-and-forget event; a request has a reply subject.
    return options?.replyTo ? { id: options.replyTo, pattern, data } : { pattern, data };
  }
}

export class RpcReplySerializer implements ConsumerSerializer {
  serialize(packet: OutgoingResponse & { status?: string }): { data: Uint8Array } {
    if (isReplyEnvelope(packet.response)) return { data: encodeJson(packet.response) };
    const error =
      packet.err !== undefined
        ? toWireError(packet.err instanceof Error ? packet.err : new Error(String(packet.err)))
        : { code: ErrorCodes.Internal, message: 'no handler produced a reply' };
    return { data: encodeJson({ ok: false, error }) };
  }
}
