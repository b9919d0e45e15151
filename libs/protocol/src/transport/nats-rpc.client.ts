/**
 * Request/reply over NATS for gateway calls. Every call has a timeout; an error reply becomes the
 * named error class of its code; no reply becomes a timeout error naming the subject.
 */
import { ErrorCode as NatsErrorCode, NatsConnection, NatsError } from 'nats';
import { InvalidReplyError, NoRespondersError, RequestTimeoutError, RunnelError } from '../errors/runnel-errors';
import { fromWireError } from '../errors/wire-error';
import { PROTOCOL_VERSION } from '../version';
import { isReplyEnvelope } from '../rpc/reply-envelope';
import { CallOptions, MessageBody, Reply, RpcMethod, bindSubject } from '../rpc/rpc-method';
import { validateMessage } from '../rpc/validate-message';
import { ProtocolMessage } from '../common/protocol-message.dto';
import { decodeJson, encodeJson } from './json-codec';
import { ClusterNamespace } from '../cluster/cluster-namespace';

export interface NatsRpcClientOptions {
  /** Default timeout of a call, in milliseconds. */
  readonly timeoutMs: number;
  /** The cluster whose services are called: every subject is put in its namespace (default: the default cluster). */
  readonly namespace: ClusterNamespace;
}

export const DEFAULT_RPC_TIMEOUT_MS = 5_000;

export class NatsRpcClient {
  private readonly timeoutMs: number;
  readonly namespace: ClusterNamespace;

  constructor(
    private readonly connection: NatsConnection,
    options: Partial<NatsRpcClientOptions> = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
    this.namespace = options.namespace ?? ClusterNamespace.DEFAULT;
  }

  async call<Req extends ProtocolMessage, Res extends ProtocolMessage>(
    method: RpcMethod<Req, Res>,
    body: MessageBody<Req>,
    options: CallOptions = {},
    subjectParams?: Readonly<Record<string, string>>,
  ): Promise<Reply<Res>> {
    const subject = this.namespace.subject(bindSubject(method.subject, subjectParams));
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const payload = encodeJson({ ...body, protocolVersion: PROTOCOL_VERSION });
    let replyBytes: Uint8Array;
    try {
      const reply = await this.connection.request(subject, payload, { timeout: timeoutMs, noMux: false });
      replyBytes = reply.data;
    } catch (error) {
      throw translateNatsError(error, subject, timeoutMs);
    }
    let envelope: unknown;
    try {
      envelope = decodeJson(replyBytes);
    } catch {
      throw new InvalidReplyError(subject, 'not JSON');
    }
    if (!isReplyEnvelope(envelope)) throw new InvalidReplyError(subject, 'not a reply envelope');
    if (!envelope.ok) throw fromWireError(envelope.error, subject);
    try {
      return validateMessage(method.reply, envelope.value, `reply of ${subject}`);
    } catch (error) {
      throw new InvalidReplyError(subject, (error as Error).message);
    }
  }
}

function translateNatsError(error: unknown, subject: string, timeoutMs: number): RunnelError | unknown {
  if (error instanceof NatsError || (error as { code?: string })?.code) {
    const code = (error as NatsError).code;
    if (code === NatsErrorCode.NoResponders) return new NoRespondersError(subject);
    if (code === NatsErrorCode.Timeout) return new RequestTimeoutError(subject, timeoutMs);
  }
  return error;
}
