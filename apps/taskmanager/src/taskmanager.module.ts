import { DynamicModule, Module } from '@nestjs/common';
import { NatsRpcClient, ResourceIds, jobMasterGateway, resourceManagerGateway } from '@runnel/protocol';
import { ArtifactStore, ClusterNamespace } from '@runnel/protocol';
import { LOG_FILES, LogFiles, NATS_CONNECTION, ServiceIdentity, ServiceKitModule } from '@runnel/service-kit';
import { TaskOutputSink } from './runtime/task-output.sink';
import { NatsConnection } from 'nats';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlotWorker } from './runtime/slot-worker.host';
import { NatsExchangeIo } from './exchange/nats-exchange.io';
import { slotWorkerOptions } from './runtime/slot-limits.settings';
import { ARTIFACT_DIRECTORY, JOB_MASTER_GATEWAY, SLOT_WORKER_FACTORY, SlotWorkerFactory, TaskExecutorService } from './runtime/task-executor.service';
import { ConnectionOptions, RESOURCE_MANAGER_GATEWAY, ResourceManagerConnection, TASK_MANAGER_ID } from './registration/resource-manager-connection.service';
import { TaskSlotTable } from './slots/task-slot-table';
import { TaskManagerPrometheusCollector } from './runtime/prometheus-task.collector';
import { TaskManagerController } from './taskmanager.controller';
import { TaskManagerSettings } from './taskmanager.settings';

@Module({})
export class TaskManagerModule {
  static forRoot(settings: TaskManagerSettings, identity: ServiceIdentity): DynamicModule {
    const logFiles = LogFiles.of(settings, identity);
    // User code's console (every slot's worker) goes to <LOG_DIR>/<LOG_NAME>.out, served as /taskmanagers/:id/stdout.
    const output = new TaskOutputSink(logFiles.path(logFiles.stdoutFile));
    return {
      module: TaskManagerModule,
      imports: [ServiceKitModule.forRoot(identity)],
      controllers: [TaskManagerController],
      providers: [
        { provide: TaskManagerSettings, useValue: settings },
        { provide: LOG_FILES, useValue: logFiles },
        { provide: TASK_MANAGER_ID, useValue: ResourceIds.parse(identity.id) },
        { provide: TaskSlotTable, useValue: new TaskSlotTable(settings.slots) },
        { provide: RESOURCE_MANAGER_GATEWAY, inject: [NatsRpcClient], useFactory: resourceManagerGateway },
        {
          provide: 'CONNECTION_OPTIONS',
          inject: [TaskExecutorService],
          useFactory: (executor: TaskExecutorService): ConnectionOptions => ({
            version: identity.version,
            minBackoffMs: 100,
            maxBackoffMs: 2000,
            provider: settings.provider,
            ...(settings.dedicatedTo ? { dedicatedTo: settings.dedicatedTo } : {}),
            releaseJob: (jobId) => executor.releaseJob(jobId),
          }),
        },
        ResourceManagerConnection,
        { provide: JOB_MASTER_GATEWAY, inject: [NatsRpcClient], useFactory: jobMasterGateway },
        { provide: ArtifactStore, inject: [NATS_CONNECTION, ClusterNamespace], useFactory: (nc: NatsConnection, ns: ClusterNamespace) => new ArtifactStore(nc, ns, settings.jetStreamReplicas) },
        { provide: ARTIFACT_DIRECTORY, useValue: join(settings.dataDir ?? join(tmpdir(), `runnel-${identity.id}`), 'artifacts') },
        {
          // The slots' NATS I/O runs on the TaskManager's own connection: workers get no credentials.
          provide: SLOT_WORKER_FACTORY,
          inject: [NATS_CONNECTION, ClusterNamespace],
          useFactory: (nc: NatsConnection, ns: ClusterNamespace): SlotWorkerFactory => {
            const io = new NatsExchangeIo(nc, ns, settings.checkpointDir);
            return (slotIndex, allocationId, jobId, onState, onCheckpoint) =>
              new SlotWorker(slotIndex, allocationId, jobId, onState, onCheckpoint, { ...slotWorkerOptions(settings), io, output });
          },
        },
        TaskExecutorService,
        TaskManagerPrometheusCollector,
      ],
    };
  }
}
