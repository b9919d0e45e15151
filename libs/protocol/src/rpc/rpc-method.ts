/**
 * A gateway method: its subject (defined here once) and the DTO classes of its request and reply.
 * Subjects may hold `{param}` placeholders, bound at run time (a TaskManager's subjects carry its
 * ResourceId); `bindSubject` is the one place that fills them.
 */
import { ProtocolMessage } from '../common/protocol-message.dto';

export type DtoClass<T> = new () => T;

export interface RpcMethod<Req extends ProtocolMessage, Res extends ProtocolMessage> {
  readonly subject: string;
  readonly request: DtoClass<Req>;
  readonly reply: DtoClass<Res>;
}

export function rpc<Req extends ProtocolMessage, Res extends ProtocolMessage>(
  subject: string,
  request: DtoClass<Req>,
  reply: DtoClass<Res>,
): RpcMethod<Req, Res> {
  return { subject, request, reply };
}

/** All methods of one service's protocol, by method name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Protocol = Record<string, RpcMethod<any, any>>;

/** A message as a caller writes it: the transport stamps `protocolVersion`. */
export type MessageBody<T> = Omit<T, 'protocolVersion'>;

/** The reply as the caller receives it. */
export type Reply<T> = MessageBody<T>;

export interface CallOptions {
  /** Milliseconds to wait for the reply; the client's default when absent. */
  readonly timeoutMs?: number;
}

/** The gateway interface a protocol implies: one async method per RpcMethod. */
export type GatewayOf<P extends Protocol> = {
  [K in keyof P]: P[K] extends RpcMethod<infer Req, infer Res>
    ? (request: MessageBody<Req>, options?: CallOptions) => Promise<Reply<Res>>
    : never;
};

const PLACEHOLDER = /\{(\w+)\}/g;

export function bindSubject(subject: string, params: Readonly<Record<string, string>> = {}): string {
  return subject.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = params[name];
    if (value === undefined || value === '' || /[\s.*>]/.test(value)) {
      throw new Error(`Subject ${subject} needs a token-safe value for {${name}}, got ${JSON.stringify(value)}`);
    }
    return value;
  });
}
