/**
 * `@HandleRpc(Protocol.method)` on a Nest controller method: subscribes it to the method's subject,
 * validates every inbound message into the request DTO (an invalid one is answered with a
 * VALIDATION_FAILED error naming the fields, and the method never runs), and wraps the result or
 * the thrown error into a reply envelope.
 */
import { Logger } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RunnelError } from '../errors/runnel-errors';
import { toWireError } from '../errors/wire-error';
import { ReplyEnvelope } from '../rpc/reply-envelope';
import { RpcMethod } from '../rpc/rpc-method';
import { validateMessage } from '../rpc/validate-message';
import { PROTOCOL_VERSION } from '../version';
import { MalformedPayload } from './rpc-nest.serializers';

const logger = new Logger('rpc');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function HandleRpc(method: RpcMethod<any, any>): MethodDecorator {
  return (target, key, descriptor: PropertyDescriptor) => {
    const handler = descriptor.value as (request: unknown) => unknown;
    descriptor.value = async function handleRpc(this: unknown, payload: unknown): Promise<ReplyEnvelope> {
      try {
        if (payload instanceof MalformedPayload) throw payload.toValidationError(method.subject);
        const request = validateMessage(method.request, payload, `${method.request.name} on ${method.subject}`);
        const value = (await handler.call(this, request)) ?? {};
        return { ok: true, value: { ...(value as object), protocolVersion: PROTOCOL_VERSION } };
      } catch (error) {
        if (!(error instanceof RunnelError)) {
          logger.error(`${method.subject} failed: ${(error as Error)?.stack ?? String(error)}`);
        }
        return { ok: false, error: toWireError(error) };
      }
    };
    Object.defineProperty(descriptor.value, 'name', { value: String(key) });
    MessagePattern(method.subject)(target, key, descriptor);
    return descriptor;
  };
}
