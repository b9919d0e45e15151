/** The dispatcher's NATS endpoint, for programmatic clients. */
import { Controller, Inject } from '@nestjs/common';
import { DispatcherProtocol, HandleRpc, TaskManagerRequest } from '@runnel/protocol';
import { SERVICE_IDENTITY, ServiceIdentity } from '@runnel/service-kit';
import { ClusterViewService } from './cluster/cluster-view.service';

@Controller()
export class DispatcherController {
  constructor(
    private readonly cluster: ClusterViewService,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  @HandleRpc(DispatcherProtocol.info)
  info() {
    const { service, id, version, startedAt } = this.identity;
    return { service, id, version, uptimeMs: Date.now() - startedAt, pid: process.pid };
  }

  @HandleRpc(DispatcherProtocol.overview)
  overview() {
    return this.cluster.overview();
  }

  @HandleRpc(DispatcherProtocol.listTaskManagers)
  listTaskManagers() {
    return this.cluster.listTaskManagers();
  }

  @HandleRpc(DispatcherProtocol.getTaskManager)
  getTaskManager(request: TaskManagerRequest) {
    return this.cluster.getTaskManager(request.resourceId);
  }
}
