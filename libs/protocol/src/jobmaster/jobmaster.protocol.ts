/**
 * The JobManager's contract (Flink's JobMasterGateway plus the Dispatcher → JobManager hand-over):
 * submission and cancellation, task state updates from TaskManagers, and the job views.
 */
import { Acknowledge, EmptyRequest, ServiceInfo } from '../common/protocol-message.dto';
import {
  JobDetailsReply, JobExceptionsReply, JobRequest, JobsOverviewReply, SubmitJobReply, SubmitJobRequest, TaskExecutionStateUpdate,
} from '../jobs/dto/job.dto';
import {
  AcknowledgeCheckpointRequest, CheckSavepointRequest, CheckpointConfigReply, CheckpointsReply, DeclineCheckpointRequest, FinalCheckpointRequest, SavepointMappingReply,
  SavepointStatusReply, SavepointStatusRequest, SavepointsReply, TriggerSavepointReply, TriggerSavepointRequest,
} from '../jobs/dto/checkpoint.dto';
import {
  CheckpointDetailsRequest, DisposeSavepointRequest, JobExceptionsRequest, JobVertexRequest, JobViewReply, OperationStatusRequest, SubtaskRequest,
} from '../jobs/dto/job-views.dto';
import { LogChunkReply, LogListReply, ReadLogRequest } from '../logs/dto/log-files.dto';
import { TaskManagersLostRequest } from '../resourcemanager/dto/registration.dto';
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
  requestFinalCheckpoint: 'runnel.jobmanager.requestFinalCheckpoint',
  taskManagersLost: 'runnel.jobmanager.taskManagersLost',
  getCheckpoints: 'runnel.jobmanager.getCheckpoints',
  getCheckpointConfig: 'runnel.jobmanager.getCheckpointConfig',
  triggerSavepoint: 'runnel.jobmanager.triggerSavepoint',
  getSavepointStatus: 'runnel.jobmanager.getSavepointStatus',
  listSavepoints: 'runnel.jobmanager.listSavepoints',
  checkSavepoint: 'runnel.jobmanager.checkSavepoint',
  getJobVertex: 'runnel.jobmanager.getJobVertex',
  getSubtask: 'runnel.jobmanager.getSubtask',
  getSubtaskTimes: 'runnel.jobmanager.getSubtaskTimes',
  getVertexTaskManagers: 'runnel.jobmanager.getVertexTaskManagers',
  getExecutionResult: 'runnel.jobmanager.getExecutionResult',
  getJobConfig: 'runnel.jobmanager.getJobConfig',
  getCheckpointDetails: 'runnel.jobmanager.getCheckpointDetails',
  getCheckpointSubtasks: 'runnel.jobmanager.getCheckpointSubtasks',
  triggerCheckpoint: 'runnel.jobmanager.triggerCheckpoint',
  getCheckpointTriggerStatus: 'runnel.jobmanager.getCheckpointTriggerStatus',
  disposeSavepoint: 'runnel.jobmanager.disposeSavepoint',
  getSavepointDisposalStatus: 'runnel.jobmanager.getSavepointDisposalStatus',
  listLogs: 'runnel.jobmanager.listLogs',
  readLog: 'runnel.jobmanager.readLog',
} as const;

export const JobMasterProtocol = {
  info: rpc(JobMasterSubjects.info, EmptyRequest, ServiceInfo),
  submitJob: rpc(JobMasterSubjects.submitJob, SubmitJobRequest, SubmitJobReply),
  cancelJob: rpc(JobMasterSubjects.cancelJob, JobRequest, Acknowledge),
  updateTaskExecutionState: rpc(JobMasterSubjects.updateTaskExecutionState, TaskExecutionStateUpdate, Acknowledge),
  getJob: rpc(JobMasterSubjects.getJob, JobRequest, JobDetailsReply),
  listJobs: rpc(JobMasterSubjects.listJobs, EmptyRequest, JobsOverviewReply),
  getJobExceptions: rpc(JobMasterSubjects.getJobExceptions, JobExceptionsRequest, JobExceptionsReply),
  acknowledgeCheckpoint: rpc(JobMasterSubjects.acknowledgeCheckpoint, AcknowledgeCheckpointRequest, Acknowledge),
  declineCheckpoint: rpc(JobMasterSubjects.declineCheckpoint, DeclineCheckpointRequest, Acknowledge),
  requestFinalCheckpoint: rpc(JobMasterSubjects.requestFinalCheckpoint, FinalCheckpointRequest, Acknowledge),
  taskManagersLost: rpc(JobMasterSubjects.taskManagersLost, TaskManagersLostRequest, Acknowledge),
  getCheckpoints: rpc(JobMasterSubjects.getCheckpoints, JobRequest, CheckpointsReply),
  getCheckpointConfig: rpc(JobMasterSubjects.getCheckpointConfig, JobRequest, CheckpointConfigReply),
  triggerSavepoint: rpc(JobMasterSubjects.triggerSavepoint, TriggerSavepointRequest, TriggerSavepointReply),
  getSavepointStatus: rpc(JobMasterSubjects.getSavepointStatus, SavepointStatusRequest, SavepointStatusReply),
  listSavepoints: rpc(JobMasterSubjects.listSavepoints, EmptyRequest, SavepointsReply),
  checkSavepoint: rpc(JobMasterSubjects.checkSavepoint, CheckSavepointRequest, SavepointMappingReply),
  getJobVertex: rpc(JobMasterSubjects.getJobVertex, JobVertexRequest, JobViewReply),
  getSubtask: rpc(JobMasterSubjects.getSubtask, SubtaskRequest, JobViewReply),
  getSubtaskTimes: rpc(JobMasterSubjects.getSubtaskTimes, JobVertexRequest, JobViewReply),
  getVertexTaskManagers: rpc(JobMasterSubjects.getVertexTaskManagers, JobVertexRequest, JobViewReply),
  getExecutionResult: rpc(JobMasterSubjects.getExecutionResult, JobRequest, JobViewReply),
  getJobConfig: rpc(JobMasterSubjects.getJobConfig, JobRequest, JobViewReply),
  getCheckpointDetails: rpc(JobMasterSubjects.getCheckpointDetails, CheckpointDetailsRequest, JobViewReply),
  getCheckpointSubtasks: rpc(JobMasterSubjects.getCheckpointSubtasks, CheckpointDetailsRequest, JobViewReply),
  triggerCheckpoint: rpc(JobMasterSubjects.triggerCheckpoint, JobRequest, TriggerSavepointReply),
  getCheckpointTriggerStatus: rpc(JobMasterSubjects.getCheckpointTriggerStatus, OperationStatusRequest, SavepointStatusReply),
  disposeSavepoint: rpc(JobMasterSubjects.disposeSavepoint, DisposeSavepointRequest, TriggerSavepointReply),
  getSavepointDisposalStatus: rpc(JobMasterSubjects.getSavepointDisposalStatus, OperationStatusRequest, SavepointStatusReply),
  listLogs: rpc(JobMasterSubjects.listLogs, EmptyRequest, LogListReply),
  readLog: rpc(JobMasterSubjects.readLog, ReadLogRequest, LogChunkReply),
} as const;

export interface JobMasterGateway {
  info(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<ServiceInfo>>;
  submitJob(request: MessageBody<SubmitJobRequest>, options?: CallOptions): Promise<Reply<SubmitJobReply>>;
  cancelJob(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  updateTaskExecutionState(request: MessageBody<TaskExecutionStateUpdate>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  getJob(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<JobDetailsReply>>;
  listJobs(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<JobsOverviewReply>>;
  getJobExceptions(request: MessageBody<JobExceptionsRequest>, options?: CallOptions): Promise<Reply<JobExceptionsReply>>;
  acknowledgeCheckpoint(request: MessageBody<AcknowledgeCheckpointRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  declineCheckpoint(request: MessageBody<DeclineCheckpointRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  /** A task's input ended: it waits for its final checkpoint. */
  requestFinalCheckpoint(request: MessageBody<FinalCheckpointRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  /** The ResourceManager lost these TaskManagers: the JobMasters using them fail over now. */
  taskManagersLost(request: MessageBody<TaskManagersLostRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  getCheckpoints(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<CheckpointsReply>>;
  getCheckpointConfig(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<CheckpointConfigReply>>;
  triggerSavepoint(request: MessageBody<TriggerSavepointRequest>, options?: CallOptions): Promise<Reply<TriggerSavepointReply>>;
  getSavepointStatus(request: MessageBody<SavepointStatusRequest>, options?: CallOptions): Promise<Reply<SavepointStatusReply>>;
  listSavepoints(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<SavepointsReply>>;
  /** Which state of a savepoint maps onto which operator of a job graph, without running anything. */
  checkSavepoint(request: MessageBody<CheckSavepointRequest>, options?: CallOptions): Promise<Reply<SavepointMappingReply>>;
  /** Flink's JobVertexDetailsInfo: a vertex and its subtasks' current attempts. */
  getJobVertex(request: MessageBody<JobVertexRequest>, options?: CallOptions): Promise<Reply<JobViewReply>>;
  /** Flink's SubtaskExecutionAttemptDetailsInfo: one subtask (its current or a former attempt). */
  getSubtask(request: MessageBody<SubtaskRequest>, options?: CallOptions): Promise<Reply<JobViewReply>>;
  getSubtaskTimes(request: MessageBody<JobVertexRequest>, options?: CallOptions): Promise<Reply<JobViewReply>>;
  getVertexTaskManagers(request: MessageBody<JobVertexRequest>, options?: CallOptions): Promise<Reply<JobViewReply>>;
  getExecutionResult(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<JobViewReply>>;
  getJobConfig(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<JobViewReply>>;
  /** Flink's CheckpointStatistics of one checkpoint, with its per-vertex statistics. */
  getCheckpointDetails(request: MessageBody<CheckpointDetailsRequest>, options?: CallOptions): Promise<Reply<JobViewReply>>;
  /** Flink's TaskCheckpointStatisticsWithSubtaskDetails: per subtask ack time, size, alignment. */
  getCheckpointSubtasks(request: MessageBody<CheckpointDetailsRequest>, options?: CallOptions): Promise<Reply<JobViewReply>>;
  /** Takes a checkpoint now (Flink: POST /jobs/:id/checkpoints) → its trigger id. */
  triggerCheckpoint(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<TriggerSavepointReply>>;
  getCheckpointTriggerStatus(request: MessageBody<OperationStatusRequest>, options?: CallOptions): Promise<Reply<SavepointStatusReply>>;
  /** Deletes a savepoint (its state, its directory) → a trigger id (Flink: POST /savepoint-disposal). */
  disposeSavepoint(request: MessageBody<DisposeSavepointRequest>, options?: CallOptions): Promise<Reply<TriggerSavepointReply>>;
  getSavepointDisposalStatus(request: MessageBody<OperationStatusRequest>, options?: CallOptions): Promise<Reply<SavepointStatusReply>>;
  /** The JobManager's log files (LOG_DIR). */
  listLogs(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<LogListReply>>;
  readLog(request: MessageBody<ReadLogRequest>, options?: CallOptions): Promise<Reply<LogChunkReply>>;
}
