import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MIGRATION_LOCK_NAME, MigrationsRunner, ServiceIdentity, ServiceKitModule } from '@runnel/service-kit';
import { dataSourceOptions, ENTITIES } from './database';
import { JobStore } from './jobs/job-store.service';
import { HeartbeatMonitor, LOST_TASK_MANAGERS_NOTICE } from './registry/heartbeat-monitor.service';
import { ClusterNamespace, jobMasterGateway, NatsRpcClient } from '@runnel/protocol';
import { SlotAllocator } from './registry/slot-allocator.service';
import { TaskManagerLoss } from './registry/task-manager-loss.service';
import { TaskManagerRegistry } from './registry/task-manager-registry.service';
import { ResourceManagerController } from './resourcemanager.controller';
import { ResourceManagerService } from './resourcemanager.service';
import { ResourceManagerSettings } from './resourcemanager.settings';
import { ProcessResourceProvider } from './providers/process.provider';
import { taskManagerNatsEnv } from './providers/taskmanager-nats.env';
import { JobCredentialsMinter } from './providers/job-credentials.minter';
import { PROVISIONER_CLOCK, ResourceProvisioner } from './providers/resource-provisioner.service';
import { RESOURCE_PROVIDER, ResourceProvider, StandaloneResourceProvider } from './providers/resource-provider.types';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The provider the settings name (kubernetes is refused before this, in main). */
function resourceProvider(settings: ResourceManagerSettings): ResourceProvider {
  if (settings.resourceProvider !== 'process') return new StandaloneResourceProvider();
  return new ProcessResourceProvider({
    // The built TaskManager beside this built ResourceManager (apps/<service>/dist).
    entryPoint: join(__dirname, '..', '..', 'taskmanager', 'dist', 'main.js'),
    natsUrl: settings.natsUrl,
    logDir: settings.tmLogDir ?? join(tmpdir(), 'runnel-taskmanagers'),
    env: { LOG_LEVEL: settings.logLevel, CLUSTER_ID: settings.clusterId, ...taskManagerNatsEnv() },
    minter: JobCredentialsMinter.fromSettings({
      seedFile: settings.tmNatsAccountSeedFile,
      account: settings.tmNatsAccount,
      dir: settings.tmCredentialsDir ?? join(tmpdir(), `runnel-tm-credentials-${process.getuid?.() ?? 'user'}`),
      namespace: ClusterNamespace.of(settings.clusterId),
      maxControlLine: settings.tmNatsMaxControlLine,
    }),
  });
}

@Module({})
export class ResourceManagerModule {
  static forRoot(settings: ResourceManagerSettings, identity: ServiceIdentity): DynamicModule {
    return {
      module: ResourceManagerModule,
      imports: [
        ServiceKitModule.forRoot(identity),
        TypeOrmModule.forRoot({ ...dataSourceOptions(settings.databaseUrl), retryAttempts: 20, retryDelay: 500 }),
        TypeOrmModule.forFeature(ENTITIES),
      ],
      controllers: [ResourceManagerController],
      providers: [
        { provide: ResourceManagerSettings, useValue: settings },
        { provide: MIGRATION_LOCK_NAME, useValue: 'runnel.resourcemanager.migrations' },
        MigrationsRunner,
        TaskManagerRegistry,
        HeartbeatMonitor,
        { provide: LOST_TASK_MANAGERS_NOTICE, inject: [NatsRpcClient], useFactory: jobMasterGateway },
        TaskManagerLoss,
        JobStore,
        SlotAllocator,
        { provide: RESOURCE_PROVIDER, useValue: resourceProvider(settings) },
        { provide: PROVISIONER_CLOCK, useValue: Date.now },
        ResourceProvisioner,
        ResourceManagerService,
      ],
    };
  }
}
