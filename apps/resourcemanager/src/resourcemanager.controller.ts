/** The ResourceManager's NATS endpoint: the only code here that knows messages arrive over NATS. */
import { Controller, Inject } from '@nestjs/common';
import {
  DisconnectTaskExecutorRequest,
  HandleRpc,
  HeartbeatRequest,
  JobRecord,
  JobRequest,
  JobStatusUpdate,
  ListTaskManagersRequest,
  RegisterTaskExecutorRequest,
  ReleaseSlotsRequest,
  RequestSlotsRequest,
  ResourceManagerProtocol,
  TaskManagerRequest,
  TaskManagerUnreachableRequest,
} from '@runnel/protocol';
import { SERVICE_IDENTITY, ServiceIdentity, serviceInfo } from '@runnel/service-kit';
import { ResourceManagerService } from './resourcemanager.service';

@Controller()
export class ResourceManagerController {
  constructor(
    private readonly resourceManager: ResourceManagerService,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  @HandleRpc(ResourceManagerProtocol.info)
  info() {
    return serviceInfo(this.identity);
  }

  @HandleRpc(ResourceManagerProtocol.registerTaskExecutor)
  registerTaskExecutor(request: RegisterTaskExecutorRequest) {
    return this.resourceManager.registerTaskExecutor(request);
  }

  @HandleRpc(ResourceManagerProtocol.heartbeatFromTaskManager)
  heartbeatFromTaskManager(request: HeartbeatRequest) {
    return this.resourceManager.heartbeatFromTaskManager(request);
  }

  @HandleRpc(ResourceManagerProtocol.disconnectTaskExecutor)
  disconnectTaskExecutor(request: DisconnectTaskExecutorRequest) {
    return this.resourceManager.disconnectTaskExecutor(request);
  }

  @HandleRpc(ResourceManagerProtocol.taskManagerUnreachable)
  taskManagerUnreachable(request: TaskManagerUnreachableRequest) {
    return this.resourceManager.taskManagerUnreachable(request);
  }

  @HandleRpc(ResourceManagerProtocol.listTaskManagers)
  listTaskManagers(request: ListTaskManagersRequest) {
    return this.resourceManager.listTaskManagers(request);
  }

  @HandleRpc(ResourceManagerProtocol.getTaskManager)
  getTaskManager(request: TaskManagerRequest) {
    return this.resourceManager.getTaskManager(request);
  }

  @HandleRpc(ResourceManagerProtocol.getClusterOverview)
  getClusterOverview() {
    return this.resourceManager.getClusterOverview();
  }

  @HandleRpc(ResourceManagerProtocol.requestSlots)
  requestSlots(request: RequestSlotsRequest) {
    return this.resourceManager.requestSlots(request);
  }

  @HandleRpc(ResourceManagerProtocol.releaseSlots)
  releaseSlots(request: ReleaseSlotsRequest) {
    return this.resourceManager.releaseSlots(request);
  }

  @HandleRpc(ResourceManagerProtocol.putJob)
  putJob(request: JobRecord) {
    return this.resourceManager.putJob(request);
  }

  @HandleRpc(ResourceManagerProtocol.updateJobStatus)
  updateJobStatus(request: JobStatusUpdate) {
    return this.resourceManager.updateJobStatus(request);
  }

  @HandleRpc(ResourceManagerProtocol.getJob)
  getJob(request: JobRequest) {
    return this.resourceManager.getJob(request);
  }

  @HandleRpc(ResourceManagerProtocol.listJobs)
  listJobs() {
    return this.resourceManager.listJobs();
  }
}
