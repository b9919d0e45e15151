/**
 * What every service imports once: its identity and cluster namespace, its NATS connection and
 * RPC client (calling into that namespace), its leadership state, and the admin endpoints. Global, so feature modules inject NatsRpcClient or MetricsRegistry directly.
 */
import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { natsProviders, NATS_CONNECTION } from '../nats/nats.providers';
import { ClusterNamespace, NatsRpcClient } from '@runnel/protocol';
import { AdminController } from './admin.controller';
import { MetricsRegistry } from './metrics.registry';
import { NatsHealthIndicator } from './nats.health';
import { SERVICE_IDENTITY, ServiceIdentity } from './service-identity';
import { LeadershipState } from '../leadership/leadership.state';

@Global()
@Module({})
export class ServiceKitModule {
  static forRoot(identity: ServiceIdentity): DynamicModule {
    return {
      module: ServiceKitModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [AdminController],
      providers: [
        { provide: SERVICE_IDENTITY, useValue: identity },
        // Built once from the settings (via the identity); injected wherever a name goes into NATS or Postgres.
        { provide: ClusterNamespace, useValue: ClusterNamespace.of(identity.clusterId) },
        { provide: MetricsRegistry, useValue: new MetricsRegistry(identity.service) },
        { provide: LeadershipState, useValue: new LeadershipState(identity.id) },
        ...natsProviders(),
        NatsHealthIndicator,
      ],
      exports: [SERVICE_IDENTITY, ClusterNamespace, MetricsRegistry, LeadershipState, NATS_CONNECTION, NatsRpcClient],
    };
  }
}
