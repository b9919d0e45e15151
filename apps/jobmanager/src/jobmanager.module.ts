import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NatsRpcClient, ResourceIds, resourceManagerGateway, taskExecutorGateway } from '@runnel/protocol';
import { NATS_CONNECTION, ServiceIdentity, ServiceKitModule } from '@runnel/service-kit';
import { NatsConnection } from 'nats';
import { JobManagerController } from './jobmanager.controller';
import { JobManagerSettings } from './jobmanager.settings';
import { JetStreamDataStreamAdmin } from './jobmaster/jetstream-data-stream.admin';
import {
  DATA_STREAM_ADMIN, JOB_MASTER_SETTINGS, JobManagerService, RESOURCE_MANAGER_GATEWAY, TASK_EXECUTOR_GATEWAYS,
} from './jobmaster/job-manager.service';

@Module({})
export class JobManagerModule {
  static forRoot(settings: JobManagerSettings, identity: ServiceIdentity): DynamicModule {
    return {
      module: JobManagerModule,
      imports: [
        ServiceKitModule.forRoot(identity),
        // Checkpoint metadata will live here, in the JobManager's own tables and migrations.
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: settings.databaseUrl,
          entities: [],
          migrations: [],
          migrationsRun: true,
          migrationsTableName: 'runnel_jobmanager_migrations',
          synchronize: false,
          retryAttempts: 20,
          retryDelay: 500,
        }),
      ],
      controllers: [JobManagerController],
      providers: [
        { provide: JobManagerSettings, useValue: settings },
        { provide: RESOURCE_MANAGER_GATEWAY, inject: [NatsRpcClient], useFactory: resourceManagerGateway },
        {
          provide: TASK_EXECUTOR_GATEWAYS,
          inject: [NatsRpcClient],
          useFactory: (client: NatsRpcClient) => (resourceId: string) => taskExecutorGateway(client, ResourceIds.parse(resourceId)),
        },
        {
          provide: DATA_STREAM_ADMIN,
          inject: [NATS_CONNECTION],
          useFactory: (nc: NatsConnection) => new JetStreamDataStreamAdmin(nc, settings.dataStreamStorage),
        },
        { provide: JOB_MASTER_SETTINGS, useValue: { slotRequestTimeoutMs: settings.slotRequestTimeoutMs, slotRetryIntervalMs: 500 } },
        JobManagerService,
      ],
    };
  }
}
