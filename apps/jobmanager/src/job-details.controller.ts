/** The JobManager's NATS endpoint for the finer job views, checkpoint details and triggers, savepoint disposal and its logs. */
import { Controller } from '@nestjs/common';
import {
  CheckpointDetailsRequest, DisposeSavepointRequest, HandleRpc, JobMasterProtocol, JobRequest, JobVertexRequest, OperationStatusRequest, ReadLogRequest, SubtaskRequest,
  ValidationError,
} from '@runnel/protocol';
import { JobDetailsService } from './jobmaster/job-details.service';
import { SavepointDisposalService } from './savepoints/savepoint-disposal.service';

@Controller()
export class JobDetailsController {
  constructor(
    private readonly details: JobDetailsService,
    private readonly disposal: SavepointDisposalService,
  ) {}

  @HandleRpc(JobMasterProtocol.getJobVertex)
  getJobVertex(request: JobVertexRequest) {
    return this.details.vertex(request.jobId, request.vertexId);
  }

  @HandleRpc(JobMasterProtocol.getSubtask)
  getSubtask(request: SubtaskRequest) {
    return this.details.subtask(request.jobId, request.vertexId, request.subtaskIndex, request.attempt);
  }

  @HandleRpc(JobMasterProtocol.getSubtaskTimes)
  getSubtaskTimes(request: JobVertexRequest) {
    return this.details.subtaskTimes(request.jobId, request.vertexId);
  }

  @HandleRpc(JobMasterProtocol.getVertexTaskManagers)
  getVertexTaskManagers(request: JobVertexRequest) {
    return this.details.taskManagers(request.jobId, request.vertexId);
  }

  @HandleRpc(JobMasterProtocol.getExecutionResult)
  getExecutionResult(request: JobRequest) {
    return this.details.executionResult(request.jobId);
  }

  @HandleRpc(JobMasterProtocol.getJobConfig)
  getJobConfig(request: JobRequest) {
    return this.details.config(request.jobId);
  }

  @HandleRpc(JobMasterProtocol.getCheckpointDetails)
  getCheckpointDetails(request: CheckpointDetailsRequest) {
    return this.details.checkpointDetails(request.jobId, request.checkpointId);
  }

  @HandleRpc(JobMasterProtocol.getCheckpointSubtasks)
  getCheckpointSubtasks(request: CheckpointDetailsRequest) {
    if (request.vertexId === undefined) throw new ValidationError('vertexId is required', [{ field: 'vertexId', problems: ['is required'] }]);
    return this.details.checkpointSubtasks(request.jobId, request.checkpointId, request.vertexId);
  }

  @HandleRpc(JobMasterProtocol.triggerCheckpoint)
  triggerCheckpoint(request: JobRequest) {
    return this.details.triggerCheckpoint(request.jobId);
  }

  @HandleRpc(JobMasterProtocol.getCheckpointTriggerStatus)
  getCheckpointTriggerStatus(request: OperationStatusRequest) {
    if (request.jobId === undefined) throw new ValidationError('jobId is required', [{ field: 'jobId', problems: ['is required'] }]);
    return this.details.checkpointTriggerStatus(request.jobId, request.triggerId);
  }

  @HandleRpc(JobMasterProtocol.disposeSavepoint)
  disposeSavepoint(request: DisposeSavepointRequest) {
    return { 'request-id': this.disposal.dispose(request.savepointPath) };
  }

  @HandleRpc(JobMasterProtocol.getSavepointDisposalStatus)
  getSavepointDisposalStatus(request: OperationStatusRequest) {
    return this.disposal.status(request.triggerId);
  }

  @HandleRpc(JobMasterProtocol.listLogs)
  listLogs() {
    return this.details.listLogs();
  }

  @HandleRpc(JobMasterProtocol.readLog)
  readLog(request: ReadLogRequest) {
    return this.details.readLog(request.name, request.offset, request.length);
  }
}
