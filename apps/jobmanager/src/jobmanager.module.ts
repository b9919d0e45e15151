import { DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClusterNamespace, NatsRpcClient, ResourceId, resourceManagerGateway, stateStoreFor, taskExecutorGateway } from '@runnel/protocol';
import { CheckpointEntity } from './checkpoints/checkpoint.entity';
import { TypeOrmCheckpointRepository } from './checkpoints/checkpoint.repository';
import { Checkpoints1763900000000 } from './migrations/1763900000000-checkpoints';
import { CheckpointDiscarded1765100000000 } from './migrations/1765100000000-checkpoint-discarded';
import { LOG_FILES, LogFiles, MIGRATION_LOCK_NAME, MigrationsRunner, NATS_CONNECTION, ServiceIdentity, ServiceKitModule } from '@runnel/service-kit';
import { NatsConnection } from 'nats';
import { JobManagerController } from './jobmanager.controller';
import { JobDetailsController } from './job-details.controller';
import { JobDetailsService } from './jobmaster/job-details.service';
import { SavepointDisposalService } from './savepoints/savepoint-disposal.service';
import { CheckpointDisposed1765000000000 } from './migrations/1765000000000-checkpoint-disposed';
import { JobMetricsController } from './metrics/job-metrics.controller';
import { JobMetricsService } from './metrics/job-metrics.service';
import { PrometheusTaskCollector } from './metrics/prometheus-task.collector';
import { SavepointService } from './savepoints/savepoint.service';
import { SAVEPOINT_LOCATIONS, SavepointLocations } from './savepoints/savepoint-locations.policy';
import { JobManagerSettings } from './jobmanager.settings';
import { JetStreamDataStreamAdmin } from './jobmaster/jetstream-data-stream.admin';
import { JobRecoveryService } from './jobmaster/job-recovery.service';
import { DataStreamSweeper } from './jobmaster/data-stream-sweeper';
import {
  CHECKPOINT_REPOSITORY, CHECKPOINT_STORE, DATA_STREAM_ADMIN, JOB_MASTER_SETTINGS, JobManagerService, RESOURCE_MANAGER_GATEWAY, TASK_EXECUTOR_GATEWAYS,
} from './jobmaster/job-manager.service';

@Module({})
export class JobManagerModule {
  static forRoot(settings: JobManagerSettings, identity: ServiceIdentity): DynamicModule {
    return {
      module: JobManagerModule,
      imports: [
        ServiceKitModule.forRoot(identity),
        // Checkpoint metadata lives here, in the JobManager's own tables and migrations.
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: settings.databaseUrl,
          entities: [CheckpointEntity],
          migrations: [Checkpoints1763900000000, CheckpointDisposed1765000000000, CheckpointDiscarded1765100000000],
          // Run by MigrationsRunner under an advisory lock, not by TypeORM at connect (instances race).
          migrationsRun: false,
          migrationsTableName: 'runnel_jobmanager_migrations',
          synchronize: false,
          retryAttempts: 20,
          retryDelay: 500,
        }),
        TypeOrmModule.forFeature([CheckpointEntity]),
      ],
      controllers: [JobManagerController, JobDetailsController, JobMetricsController],
      providers: [
        { provide: JobManagerSettings, useValue: settings },
        { provide: MIGRATION_LOCK_NAME, useValue: 'runnel.jobmanager.migrations' },
        MigrationsRunner,
        { provide: RESOURCE_MANAGER_GATEWAY, inject: [NatsRpcClient], useFactory: resourceManagerGateway },
        {
          provide: TASK_EXECUTOR_GATEWAYS,
          inject: [NatsRpcClient],
          useFactory: (client: NatsRpcClient) => (resourceId: ResourceId) => taskExecutorGateway(client, resourceId),
        },
        {
          provide: DATA_STREAM_ADMIN,
          inject: [NATS_CONNECTION, ClusterNamespace],
          useFactory: (nc: NatsConnection, ns: ClusterNamespace) => new JetStreamDataStreamAdmin(nc, settings.dataStreamStorage, ns, settings.jetStreamReplicas),
        },
        {
          provide: JOB_MASTER_SETTINGS,
          useValue: {
            slotRequestTimeoutMs: settings.slotRequestTimeoutMs,
            slotRetryIntervalMs: 500,
            taskManagerCheckIntervalMs: 1000,
            maxJobParallelism: settings.maxJobParallelism,
            jobHistory: { size: settings.jobHistorySize, expiryMs: settings.jobHistoryExpiryMs },
          },
        },
        { provide: CHECKPOINT_REPOSITORY, useClass: TypeOrmCheckpointRepository },
        {
          provide: CHECKPOINT_STORE,
          inject: [NATS_CONNECTION, ClusterNamespace],
          useFactory: (nc: NatsConnection, ns: ClusterNamespace) => stateStoreFor(nc, settings.checkpointDir, ns, settings.jetStreamReplicas),
        },
        { provide: SAVEPOINT_LOCATIONS, useValue: new SavepointLocations(settings.savepointDirs, settings.checkpointDir) },
        SavepointService,
        SavepointDisposalService,
        JobDetailsService,
        { provide: LOG_FILES, useValue: LogFiles.of(settings, identity) },
        JobManagerService,
        JobRecoveryService,
        JobMetricsService,
        PrometheusTaskCollector,
        {
          provide: DataStreamSweeper,
          inject: [NATS_CONNECTION, ClusterNamespace, JobManagerService],
          useFactory: (nc: NatsConnection, ns: ClusterNamespace, jobs: JobManagerService) =>
            new DataStreamSweeper(nc, ns, jobs, settings.orphanSweepIntervalMs, new Logger('DataStreams')),
        },
      ],
    };
  }
}
