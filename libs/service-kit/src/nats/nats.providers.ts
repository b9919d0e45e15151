/**
 * The service's own NATS connection (for calling other services' gateways) and its RPC client.
 * Connecting waits for NATS rather than failing, since a cluster's parts start in any order;
 * shutdown drains, so calls in flight finish.
 */
import { Inject, Injectable, Logger, OnApplicationShutdown, Provider } from '@nestjs/common';
import { ClusterNamespace, NatsCredentials, NatsRpcClient, explainNatsConnectError, isNatsAuthError, isNatsTlsError, natsConnectOptions, natsServers } from '@runnel/protocol';
import { NatsConnection, connect } from 'nats';
import { SERVICE_IDENTITY, ServiceIdentity } from '../admin/service-identity';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

/**
 * Waits for NATS while it does not answer; credentials it refuses (nats.js gives up after the
 * second refusal) reject with a NatsCredentialsError that says so, and the service exits at start.
 */
export async function connectNats(servers: string, name: string, credentials?: NatsCredentials): Promise<NatsConnection> {
  const options = { ...natsConnectOptions(credentials), servers: natsServers(servers), name, noAsyncTraces: true, maxReconnectAttempts: -1, reconnectTimeWait: 250 };
  try {
    // A first try that gives up at once: a TLS failure (untrusted certificate, a client certificate
    // the server refuses) or refused credentials stop the service now, with what went wrong;
    // waiting for NATS (below) would retry them forever.
    return await connect(options);
  } catch (error) {
    if (isNatsTlsError(error) || isNatsAuthError(error)) throw explainNatsConnectError(error, credentials);
  }
  try {
    return await connect({ ...options, waitOnFirstConnect: true });
  } catch (error) {
    throw explainNatsConnectError(error, credentials);
  }
}

@Injectable()
export class NatsConnectionCloser implements OnApplicationShutdown {
  private readonly logger = new Logger('nats');
  constructor(@Inject(NATS_CONNECTION) private readonly connection: NatsConnection) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.connection.isClosed()) return;
    try {
      await this.connection.drain();
    } catch (error) {
      this.logger.warn(`drain failed: ${(error as Error).message}`);
    }
  }
}

export function natsProviders(): Provider[] {
  return [
    {
      provide: NATS_CONNECTION,
      inject: [SERVICE_IDENTITY],
      useFactory: (identity: ServiceIdentity) => connectNats(identity.natsUrl, `${identity.service}:${identity.id}`, identity.natsCredentials),
    },
    {
      provide: NatsRpcClient,
      inject: [NATS_CONNECTION, ClusterNamespace],
      useFactory: (connection: NatsConnection, namespace: ClusterNamespace) => new NatsRpcClient(connection, { namespace }),
    },
    NatsConnectionCloser,
  ];
}
