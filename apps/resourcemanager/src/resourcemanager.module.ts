import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MIGRATION_LOCK_NAME, MigrationsRunner, ServiceIdentity, ServiceKitModule } from '@runnel/service-kit';
import { dataSourceOptions, ENTITIES } from './database';
import { JobStore } from './jobs/job-store.service';
import { HeartbeatMonitor } from './registry/heartbeat-monitor.service';
import { SlotAllocator } from './registry/slot-allocator.service';
import { TaskManagerRegistry } from './registry/task-manager-registry.service';
import { ResourceManagerController } from './resourcemanager.controller';
import { ResourceManagerService } from './resourcemanager.service';
import { ResourceManagerSettings } from './resourcemanager.settings';

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
        JobStore,
        SlotAllocator,
        ResourceManagerService,
      ],
    };
  }
}
