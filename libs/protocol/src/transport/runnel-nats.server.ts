/**
 * The NATS transport of every Runnel service: Nest's NATS server with Runnel's wire format, a
 * queue group (so two instances of a service share the work), subject placeholders bound to this
 * instance (a TaskManager listens on its own ResourceId), subjects in the cluster's namespace
 * (CLUSTER_ID), and draining on shutdown.
 */
import { MessageHandler, ServerNats } from '@nestjs/microservices';
import type { ConnectionOptions } from 'nats';
import { bindSubject } from '../rpc/rpc-method';
import { ClusterNamespace } from '../cluster/cluster-namespace';
import { RpcReplySerializer, RpcRequestDeserializer } from './rpc-nest.serializers';
import { natsServers } from './nats-connect-options';

export interface RunnelNatsServerOptions {
  readonly servers: string | string[];
  /** Queue group; omit for subjects that only this instance listens on. */
  readonly queue?: string;
  /** Values for `{placeholders}` in subjects. */
  readonly subjectParams?: Readonly<Record<string, string>>;
  readonly name?: string;
  /** The cluster this service belongs to: subjects and queue group go in its namespace (default: the default cluster). */
  readonly namespace?: ClusterNamespace;
  /** Credentials and TLS (natsConnectOptions in nats-connect-options.ts). */
  readonly connectOptions?: Partial<ConnectionOptions>;
}

export class RunnelNatsServer extends ServerNats {
  private readonly subjectParams: Readonly<Record<string, string>>;
  private readonly namespace: ClusterNamespace;

  constructor(options: RunnelNatsServerOptions) {
    const namespace = options.namespace ?? ClusterNamespace.DEFAULT;
    super({
      ...options.connectOptions,
      servers: natsServers(options.servers),
      queue: options.queue === undefined ? undefined : namespace.subject(options.queue),
      name: options.name,
      serializer: new RpcReplySerializer(),
      deserializer: new RpcRequestDeserializer(),
      gracefulShutdown: false,
      // A service that cannot reach NATS keeps trying rather than dying: NATS may restart.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    this.subjectParams = options.subjectParams ?? {};
    this.namespace = namespace;
  }

  override addHandler(pattern: unknown, callback: MessageHandler, isEventHandler = false, extras: Record<string, unknown> = {}): void {
    // The one place where a handler's subject is made: placeholders bound, then the cluster's namespace.
    const bound = typeof pattern === 'string' ? this.namespace.subject(bindSubject(pattern, this.subjectParams)) : pattern;
    super.addHandler(bound, callback, isEventHandler, extras);
  }

  override async close(): Promise<void> {
    // Drain: finish the requests in flight, then close, so a SIGTERM loses no reply.
    const client = (this as unknown as { natsClient?: { drain(): Promise<void> } | null }).natsClient;
    if (client) {
      try {
        await client.drain();
      } catch {
        // already closed
      }
    }
    await super.close();
  }
}
