/**
 * The JobManager's contract (Flink's JobMasterGateway plus the Dispatcher → JobManager hand-over):
 * submission and cancellation, task state updates from TaskManagers, and the job views.
 */
import { Acknowledge, EmptyRequest, ServiceInfo } from '../common/protocol-message.dto';
import {
  JobDetailsReply, JobExceptionsReply, JobRequest, JobsOverviewReply, SubmitJobReply, SubmitJobRequest, TaskExecutionStateUpdate,
} from '../jobs/dto/job.dto';
import {
  AcknowledgeCheckpointRequest, CheckSavepointRequest, CheckpointConfigReply, CheckpointsReply, DeclineCheckpointRequest, SavepointMappingReply,
  SavepointStatusReply, SavepointStatusRequest, SavepointsReply, TriggerSavepointReply, TriggerSavepointRequest,
} from '../jobs/dto/checkpoint.dto';
import { CallOptions, MessageBody, Reply, rpc } from '../rpc/rpc-method';

export const JobMasterSubjects = {
  info: 'runnel.jobmanager.info',
  submitJob: 'runnel.jobmanager.submitJob',
  cancelJob: 'runnel.jobmanager.cancelJob',
  updateTaskExecutionState: 'runnel.jobmanager.updateTaskExecutionState',
  getJob: 'runnel.jobmanager.getJob',
  listJobs: 'runnel.jobmanager.listJobs',
  getJobExceptions: 'runnel.jobmanager.getJobExceptions',
  acknowledgeCheckpoint: 'runnel.jobmanager.acknowledgeCheckpoint',
  declineCheckpoint: 'runnel.jobmanager.declineCheckpoint',
  getCheckpoints: 'runnel.jobmanager.getCheckpoints',
  getCheckpointConfig: 'runnel.jobmanager.getCheckpointConfig',
  triggerSavepoint: 'runnel.jobmanager.triggerSavepoint',
  getSavepointStatus: 'runnel.jobmanager.getSavepointStatus',
  listSavepoints: 'runnel.jobmanager.listSavepoints',
  checkSavepoint: 'runnel.jobmanager.checkSavepoint',
} as const;

export const JobMasterProtocol = {
  info: rpc(JobMasterSubjects.info, EmptyRequest, ServiceInfo),
  submitJob: rpc(JobMasterSubjects.submitJob, SubmitJobRequest, SubmitJobReply),
  cancelJob: rpc(JobMasterSubjects.cancelJob, JobRequest, Acknowledge),
  updateTaskExecutionState: rpc(JobMasterSubjects.updateTaskExecutionState, TaskExecutionStateUpdate, Acknowledge),
  getJob: rpc(JobMasterSubjects.getJob, JobRequest, JobDetailsReply),
  listJobs: rpc(JobMasterSubjects.listJobs, EmptyRequest, JobsOverviewReply),
  getJobExceptions: rpc(JobMasterSubjects.getJobExceptions, JobRequest, JobExceptionsReply),
  acknowledgeCheckpoint: rpc(JobMasterSubjects.acknowledgeCheckpoint, AcknowledgeCheckpointRequest, Acknowledge),
  declineCheckpoint: rpc(JobMasterSubjects.declineCheckpoint, DeclineCheckpointRequest, Acknowledge),
  getCheckpoints: rpc(JobMasterSubjects.getCheckpoints, JobRequest, CheckpointsReply),
  getCheckpointConfig: rpc(JobMasterSubjects.getCheckpointConfig, JobRequest, CheckpointConfigReply),
  triggerSavepoint: rpc(JobMasterSubjects.triggerSavepoint, TriggerSavepointRequest, TriggerSavepointReply),
  getSavepointStatus: rpc(JobMasterSubjects.getSavepointStatus, SavepointStatusRequest, SavepointStatusReply),
  listSavepoints: rpc(JobMasterSubjects.listSavepoints, EmptyRequest, SavepointsReply),
  checkSavepoint: rpc(JobMasterSubjects.checkSavepoint, CheckSavepointRequest, SavepointMappingReply),
} as const;

export interface JobMasterGateway {
  info(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<ServiceInfo>>;
  submitJob(request: MessageBody<SubmitJobRequest>, options?: CallOptions): Promise<Reply<SubmitJobReply>>;
  cancelJob(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  updateTaskExecutionState(request: MessageBody<TaskExecutionStateUpdate>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  getJob(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<JobDetailsReply>>;
  listJobs(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<JobsOverviewReply>>;
  getJobExceptions(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<JobExceptionsReply>>;
  acknowledgeCheckpoint(request: MessageBody<AcknowledgeCheckpointRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  declineCheckpoint(request: MessageBody<DeclineCheckpointRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  getCheckpoints(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<CheckpointsReply>>;
  getCheckpointConfig(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<CheckpointConfigReply>>;
  triggerSavepoint(request: MessageBody<TriggerSavepointRequest>, options?: CallOptions): Promise<Reply<TriggerSavepointReply>>;
  getSavepointStatus(request: MessageBody<SavepointStatusRequest>, options?: CallOptions): Promise<Reply<SavepointStatusReply>>;
  listSavepoints(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<SavepointsReply>>;
  /** Which state of a savepoint maps onto which operator of a job graph, without running anything. */
  checkSavepoint(request: MessageBody<CheckSavepointRequest>, options?: CallOptions): Promise<Reply<SavepointMappingReply>>;
}
