import { DynamicModule, Module } from '@nestjs/common';
import { jobMasterGateway, jobMetricsGateway, NatsRpcClient, ResourceId, resourceManagerGateway, taskExecutorGateway } from '@runnel/protocol';
import { ArtifactStore, ClusterNamespace } from '@runnel/protocol';
import { NATS_CONNECTION, ServiceIdentity, ServiceKitModule } from '@runnel/service-kit';
import { NatsConnection } from 'nats';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workerArtifactInspector } from './jars/artifact-inspector';
import { ARTIFACT_INSPECTOR, JAR_SETTINGS, JOB_MASTER_GATEWAY, JarService } from './jars/jar.service';
import { JobViewService } from './jobs/job-view.service';
import { JobDetailsViewService, TASK_EXECUTOR_GATEWAYS } from './jobs/job-details-view.service';
import { JobStatusRestController } from './rest/job-status.controller';
import { JobVerticesRestController } from './rest/job-vertices.controller';
import { LogsRestController } from './rest/logs.controller';
import { SavepointDisposalRestController } from './rest/savepoint-disposal.controller';
import { JOB_METRICS_GATEWAY, JobMetricsViewService } from './jobs/job-metrics-view.service';
import { MetricsRestController } from './rest/metrics.controller';
import { JarsRestController } from './rest/jars.controller';
import { JobsRestController } from './rest/jobs.controller';
import { SavepointsRestController } from './rest/savepoints.controller';
import { DashboardController } from './web/dashboard.controller';
import { ClusterViewService, RESOURCE_MANAGER_GATEWAY } from './cluster/cluster-view.service';
import { DispatcherController } from './dispatcher.controller';
import { DispatcherSettings } from './dispatcher.settings';
import { ClusterRestController } from './rest/cluster.controller';

@Module({})
export class DispatcherModule {
  static forRoot(settings: DispatcherSettings, identity: ServiceIdentity): DynamicModule {
    return {
      module: DispatcherModule,
      imports: [ServiceKitModule.forRoot(identity)],
      // Metrics first: its static paths (jobs/metrics, …/subtasks/metrics) must win over :jobid-style ones.
      controllers: [
        MetricsRestController, DashboardController, ClusterRestController, JarsRestController, JobsRestController,
        // After JobsRestController: its /jobs/:id/checkpoints/config goes before /jobs/:id/checkpoints/:triggerid.
        JobStatusRestController, JobVerticesRestController, LogsRestController, SavepointDisposalRestController,
        SavepointsRestController, DispatcherController,
      ],
      providers: [
        { provide: DispatcherSettings, useValue: settings },
        { provide: RESOURCE_MANAGER_GATEWAY, inject: [NatsRpcClient], useFactory: resourceManagerGateway },
        { provide: JOB_MASTER_GATEWAY, inject: [NatsRpcClient], useFactory: jobMasterGateway },
        { provide: JOB_METRICS_GATEWAY, inject: [NatsRpcClient], useFactory: jobMetricsGateway },
        { provide: ArtifactStore, inject: [NATS_CONNECTION, ClusterNamespace], useFactory: (nc: NatsConnection, ns: ClusterNamespace) => new ArtifactStore(nc, ns, settings.jetStreamReplicas) },
        { provide: ARTIFACT_INSPECTOR, useValue: workerArtifactInspector(settings.artifactInspectTimeoutMs) },
        {
          provide: JAR_SETTINGS,
          useValue: {
            maxArtifactBytes: settings.artifactMaxBytes,
            package: { maxUnpackedBytes: settings.artifactMaxUnpackedBytes, maxFiles: settings.artifactMaxFiles },
            cacheDirectory: join(settings.dataDir ?? join(tmpdir(), `runnel-${identity.id}`), 'artifacts'),
            maxJobParallelism: settings.maxJobParallelism,
          },
        },
        ClusterViewService,
        JarService,
        JobViewService,
        JobDetailsViewService,
        {
          provide: TASK_EXECUTOR_GATEWAYS,
          inject: [NatsRpcClient],
          useFactory: (client: NatsRpcClient) => (resourceId: ResourceId) => taskExecutorGateway(client, resourceId),
        },
        JobMetricsViewService,
      ],
    };
  }
}
