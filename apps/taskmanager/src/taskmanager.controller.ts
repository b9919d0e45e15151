/** The TaskManager's NATS endpoint (its subjects carry its ResourceId). */
import { Controller, Inject } from '@nestjs/common';
import {
  HandleRpc, JobRequest, NotifyCheckpointCompleteRequest, ProfileRequest, ReadLogRequest, TaskDeploymentDescriptor, TaskExecutorProtocol, TaskRequest, TriggerCheckpointRequest,
} from '@runnel/protocol';
import { TaskExecutorService } from './runtime/task-executor.service';
import { LOG_FILES, LogFiles, SERVICE_IDENTITY, ServiceIdentity, serviceInfo } from '@runnel/service-kit';
import { TaskSlotTable } from './slots/task-slot-table';

@Controller()
export class TaskManagerController {
  constructor(
    private readonly slots: TaskSlotTable,
    private readonly tasks: TaskExecutorService,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    @Inject(LOG_FILES) private readonly logs: LogFiles,
  ) {}

  @HandleRpc(TaskExecutorProtocol.info)
  info() {
    return serviceInfo(this.identity);
  }

  @HandleRpc(TaskExecutorProtocol.requestSlotReport)
  requestSlotReport() {
    return { resourceId: this.identity.id, slots: this.slots.report() };
  }

  @HandleRpc(TaskExecutorProtocol.submitTask)
  async submitTask(request: TaskDeploymentDescriptor) {
    await this.tasks.submitTask(request);
    return {};
  }

  @HandleRpc(TaskExecutorProtocol.cancelTask)
  async cancelTask(request: TaskRequest) {
    await this.tasks.cancelTask(request.executionAttemptId);
    return {};
  }

  @HandleRpc(TaskExecutorProtocol.releaseJob)
  async releaseJob(request: JobRequest) {
    await this.tasks.releaseJob(request.jobId);
    return {};
  }

  @HandleRpc(TaskExecutorProtocol.triggerCheckpoint)
  triggerCheckpoint(request: TriggerCheckpointRequest) {
    this.tasks.triggerCheckpoint(request.executionAttemptId, request.checkpointId);
    return {};
  }

  @HandleRpc(TaskExecutorProtocol.notifyCheckpointComplete)
  notifyCheckpointComplete(request: NotifyCheckpointCompleteRequest) {
    this.tasks.notifyCheckpointComplete(request.jobId, request.checkpointId);
    return {};
  }

  @HandleRpc(TaskExecutorProtocol.listLogs)
  listLogs() {
    return this.logs.list();
  }

  @HandleRpc(TaskExecutorProtocol.readLog)
  readLog(request: ReadLogRequest) {
    return this.logs.read(request.name, request.offset, request.length);
  }

  @HandleRpc(TaskExecutorProtocol.profile)
  async profile(request: ProfileRequest) {
    const { protocolVersion: _version, ...options } = request;
    return { view: await this.tasks.profile(options) };
  }

  @HandleRpc(TaskExecutorProtocol.drainJob)
  drainJob(request: JobRequest) {
    this.tasks.drainJob(request.jobId);
    return {};
  }
}
