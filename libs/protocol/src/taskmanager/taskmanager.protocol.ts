/**
 * The TaskManager's contract (Flink's TaskExecutorGateway). Its subjects carry the TaskManager's
 * ResourceId, so each call reaches exactly one TaskManager.
 */
import { Acknowledge, EmptyRequest, ServiceInfo } from '../common/protocol-message.dto';
import { JobRequest } from '../jobs/dto/job.dto';
import { NotifyCheckpointCompleteRequest, TriggerCheckpointRequest } from '../jobs/dto/checkpoint.dto';
import { JobViewReply, ProfileRequest } from '../jobs/dto/job-views.dto';
import { LogChunkReply, LogListReply, ReadLogRequest } from '../logs/dto/log-files.dto';
import { CallOptions, MessageBody, Reply, rpc } from '../rpc/rpc-method';
import { SlotReportReply } from './dto/slot-report.dto';
import { TaskDeploymentDescriptor, TaskRequest } from './dto/task-deployment.dto';

export const TaskExecutorSubjects = {
  info: 'runnel.taskmanager.{resourceId}.info',
  requestSlotReport: 'runnel.taskmanager.{resourceId}.requestSlotReport',
  submitTask: 'runnel.taskmanager.{resourceId}.submitTask',
  cancelTask: 'runnel.taskmanager.{resourceId}.cancelTask',
  releaseJob: 'runnel.taskmanager.{resourceId}.releaseJob',
  triggerCheckpoint: 'runnel.taskmanager.{resourceId}.triggerCheckpoint',
  notifyCheckpointComplete: 'runnel.taskmanager.{resourceId}.notifyCheckpointComplete',
  drainJob: 'runnel.taskmanager.{resourceId}.drainJob',
  listLogs: 'runnel.taskmanager.{resourceId}.listLogs',
  readLog: 'runnel.taskmanager.{resourceId}.readLog',
  profile: 'runnel.taskmanager.{resourceId}.profile',
} as const;

export const TaskExecutorProtocol = {
  info: rpc(TaskExecutorSubjects.info, EmptyRequest, ServiceInfo),
  requestSlotReport: rpc(TaskExecutorSubjects.requestSlotReport, EmptyRequest, SlotReportReply),
  submitTask: rpc(TaskExecutorSubjects.submitTask, TaskDeploymentDescriptor, Acknowledge),
  cancelTask: rpc(TaskExecutorSubjects.cancelTask, TaskRequest, Acknowledge),
  releaseJob: rpc(TaskExecutorSubjects.releaseJob, JobRequest, Acknowledge),
  triggerCheckpoint: rpc(TaskExecutorSubjects.triggerCheckpoint, TriggerCheckpointRequest, Acknowledge),
  notifyCheckpointComplete: rpc(TaskExecutorSubjects.notifyCheckpointComplete, NotifyCheckpointCompleteRequest, Acknowledge),
  drainJob: rpc(TaskExecutorSubjects.drainJob, JobRequest, Acknowledge),
  listLogs: rpc(TaskExecutorSubjects.listLogs, EmptyRequest, LogListReply),
  readLog: rpc(TaskExecutorSubjects.readLog, ReadLogRequest, LogChunkReply),
  profile: rpc(TaskExecutorSubjects.profile, ProfileRequest, JobViewReply),
} as const;

export interface TaskExecutorGateway {
  info(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<ServiceInfo>>;
  requestSlotReport(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<SlotReportReply>>;
  /** Starts a subtask in the slot of its allocation (Flink: submitTask). */
  submitTask(request: MessageBody<TaskDeploymentDescriptor>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  cancelTask(request: MessageBody<TaskRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  /** Cancels every task of a job here and frees its slots. */
  releaseJob(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  /** A source task starts a checkpoint: snapshot, barrier downstream. */
  triggerCheckpoint(request: MessageBody<TriggerCheckpointRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  /** Every task of the job here learns the checkpoint completed (sinks commit). */
  notifyCheckpointComplete(request: MessageBody<NotifyCheckpointCompleteRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  /** The job's source tasks here end their input (stop with --drain): windows fire, the job finishes. */
  drainJob(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  /** Its log files: `<LOG_NAME>.log` and the stdout of user code, `<LOG_NAME>.out`. */
  listLogs(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<LogListReply>>;
  readLog(request: MessageBody<ReadLogRequest>, options?: CallOptions): Promise<Reply<LogChunkReply>>;
  /** A CPU profile of its slot workers for `durationMs`, as a flame graph (a tree of frames with sample counts). */
  profile(request: MessageBody<ProfileRequest>, options?: CallOptions): Promise<Reply<JobViewReply>>;
}
