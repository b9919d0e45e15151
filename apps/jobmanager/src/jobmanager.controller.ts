/** The JobManager's NATS endpoint (Flink's JobMasterGateway and the dispatcher's hand-over). */
import { Controller, Inject } from '@nestjs/common';
import {
  AcknowledgeCheckpointRequest, CheckSavepointRequest, JobExceptionsRequest, DeclineCheckpointRequest, FinalCheckpointRequest, HandleRpc, JobMasterProtocol, JobRequest, SavepointStatusRequest,
  SubmitJobRequest, TaskExecutionStateUpdate, TaskManagersLostRequest, TriggerSavepointRequest,
} from '@runnel/protocol';
import { SERVICE_IDENTITY, ServiceIdentity, serviceInfo } from '@runnel/service-kit';
import { JobManagerService } from './jobmaster/job-manager.service';

@Controller()
export class JobManagerController {
  constructor(
    private readonly jobs: JobManagerService,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  @HandleRpc(JobMasterProtocol.info)
  info() {
    return serviceInfo(this.identity);
  }

  @HandleRpc(JobMasterProtocol.submitJob)
  submitJob(request: SubmitJobRequest) {
    return this.jobs.submitJob(request);
  }

  @HandleRpc(JobMasterProtocol.cancelJob)
  cancelJob(request: JobRequest) {
    return this.jobs.cancelJob(request.jobId);
  }

  @HandleRpc(JobMasterProtocol.updateTaskExecutionState)
  updateTaskExecutionState(request: TaskExecutionStateUpdate) {
    return this.jobs.updateTaskExecutionState(request);
  }

  @HandleRpc(JobMasterProtocol.getJob)
  getJob(request: JobRequest) {
    return this.jobs.getJob(request.jobId);
  }

  @HandleRpc(JobMasterProtocol.listJobs)
  listJobs() {
    return this.jobs.listJobs();
  }

  @HandleRpc(JobMasterProtocol.getJobExceptions)
  getJobExceptions(request: JobExceptionsRequest) {
    return this.jobs.getJobExceptions(request.jobId, request.maxExceptions);
  }

  @HandleRpc(JobMasterProtocol.acknowledgeCheckpoint)
  acknowledgeCheckpoint(request: AcknowledgeCheckpointRequest) {
    return this.jobs.acknowledgeCheckpoint(request);
  }

  @HandleRpc(JobMasterProtocol.declineCheckpoint)
  declineCheckpoint(request: DeclineCheckpointRequest) {
    return this.jobs.declineCheckpoint(request);
  }

  @HandleRpc(JobMasterProtocol.requestFinalCheckpoint)
  requestFinalCheckpoint(request: FinalCheckpointRequest) {
    return this.jobs.requestFinalCheckpoint(request);
  }

  @HandleRpc(JobMasterProtocol.taskManagersLost)
  taskManagersLost(request: TaskManagersLostRequest) {
    return this.jobs.taskManagersLost(request.resourceIds);
  }

  @HandleRpc(JobMasterProtocol.getCheckpoints)
  getCheckpoints(request: JobRequest) {
    return this.jobs.getCheckpoints(request.jobId);
  }

  @HandleRpc(JobMasterProtocol.getCheckpointConfig)
  getCheckpointConfig(request: JobRequest) {
    return this.jobs.getCheckpointConfig(request.jobId);
  }

  @HandleRpc(JobMasterProtocol.triggerSavepoint)
  triggerSavepoint(request: TriggerSavepointRequest) {
    return this.jobs.triggerSavepoint(request);
  }

  @HandleRpc(JobMasterProtocol.getSavepointStatus)
  getSavepointStatus(request: SavepointStatusRequest) {
    return this.jobs.getSavepointStatus(request.jobId, request.triggerId);
  }

  @HandleRpc(JobMasterProtocol.listSavepoints)
  listSavepoints() {
    return this.jobs.listSavepoints();
  }

  @HandleRpc(JobMasterProtocol.checkSavepoint)
  checkSavepoint(request: CheckSavepointRequest) {
    return this.jobs.checkSavepoint(request);
  }
}
