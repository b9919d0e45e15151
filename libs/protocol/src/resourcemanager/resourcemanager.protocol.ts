/**
 * The ResourceManager's contract: its subjects (defined here once), DTOs and gateway interface.
 * It owns the TaskManager and slot registry and the job store (Postgres).
 */
import { Acknowledge, EmptyRequest, ServiceInfo } from '../common/protocol-message.dto';
import { JobRecord, JobRecordsReply, JobRequest, JobStatusUpdate } from '../jobs/dto/job.dto';
import { CallOptions, MessageBody, Reply, rpc } from '../rpc/rpc-method';
import { ClusterOverviewReply, TaskManagerDetailsReply, TaskManagersReply } from './dto/cluster-view.dto';
import {
  DisconnectTaskExecutorRequest,
  HeartbeatReply,
  HeartbeatRequest,
  ListTaskManagersRequest,
  RegisterTaskExecutorRequest,
  RegistrationReply,
  TaskManagerRequest,
  TaskManagerUnreachableRequest,
} from './dto/registration.dto';
import { ReleaseSlotsRequest, RequestSlotsRequest, SlotAllocationsReply } from './dto/slot-allocation.dto';

export const ResourceManagerSubjects = {
  info: 'runnel.resourcemanager.info',
  registerTaskExecutor: 'runnel.resourcemanager.registerTaskExecutor',
  heartbeatFromTaskManager: 'runnel.resourcemanager.heartbeatFromTaskManager',
  disconnectTaskExecutor: 'runnel.resourcemanager.disconnectTaskExecutor',
  taskManagerUnreachable: 'runnel.resourcemanager.taskManagerUnreachable',
  listTaskManagers: 'runnel.resourcemanager.listTaskManagers',
  getTaskManager: 'runnel.resourcemanager.getTaskManager',
  getClusterOverview: 'runnel.resourcemanager.getClusterOverview',
  requestSlots: 'runnel.resourcemanager.requestSlots',
  releaseSlots: 'runnel.resourcemanager.releaseSlots',
  putJob: 'runnel.resourcemanager.putJob',
  updateJobStatus: 'runnel.resourcemanager.updateJobStatus',
  getJob: 'runnel.resourcemanager.getJob',
  listJobs: 'runnel.resourcemanager.listJobs',
} as const;

export const ResourceManagerProtocol = {
  info: rpc(ResourceManagerSubjects.info, EmptyRequest, ServiceInfo),
  registerTaskExecutor: rpc(ResourceManagerSubjects.registerTaskExecutor, RegisterTaskExecutorRequest, RegistrationReply),
  heartbeatFromTaskManager: rpc(ResourceManagerSubjects.heartbeatFromTaskManager, HeartbeatRequest, HeartbeatReply),
  disconnectTaskExecutor: rpc(ResourceManagerSubjects.disconnectTaskExecutor, DisconnectTaskExecutorRequest, Acknowledge),
  taskManagerUnreachable: rpc(ResourceManagerSubjects.taskManagerUnreachable, TaskManagerUnreachableRequest, Acknowledge),
  listTaskManagers: rpc(ResourceManagerSubjects.listTaskManagers, ListTaskManagersRequest, TaskManagersReply),
  getTaskManager: rpc(ResourceManagerSubjects.getTaskManager, TaskManagerRequest, TaskManagerDetailsReply),
  getClusterOverview: rpc(ResourceManagerSubjects.getClusterOverview, EmptyRequest, ClusterOverviewReply),
  requestSlots: rpc(ResourceManagerSubjects.requestSlots, RequestSlotsRequest, SlotAllocationsReply),
  releaseSlots: rpc(ResourceManagerSubjects.releaseSlots, ReleaseSlotsRequest, Acknowledge),
  putJob: rpc(ResourceManagerSubjects.putJob, JobRecord, Acknowledge),
  updateJobStatus: rpc(ResourceManagerSubjects.updateJobStatus, JobStatusUpdate, Acknowledge),
  getJob: rpc(ResourceManagerSubjects.getJob, JobRequest, JobRecord),
  listJobs: rpc(ResourceManagerSubjects.listJobs, EmptyRequest, JobRecordsReply),
} as const;

export interface ResourceManagerGateway {
  info(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<ServiceInfo>>;
  /** Registers (or re-registers, replacing the previous registration) a TaskManager and its slots. */
  registerTaskExecutor(request: MessageBody<RegisterTaskExecutorRequest>, options?: CallOptions): Promise<Reply<RegistrationReply>>;
  /** Fails with UnknownTaskManagerError when the TaskManager must register again. */
  heartbeatFromTaskManager(request: MessageBody<HeartbeatRequest>, options?: CallOptions): Promise<Reply<HeartbeatReply>>;
  disconnectTaskExecutor(request: MessageBody<DisconnectTaskExecutorRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  /** A JobMaster's deployment found the TaskManager gone: it is marked lost and its slots freed at once. */
  taskManagerUnreachable(request: MessageBody<TaskManagerUnreachableRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  listTaskManagers(request: MessageBody<ListTaskManagersRequest>, options?: CallOptions): Promise<Reply<TaskManagersReply>>;
  getTaskManager(request: MessageBody<TaskManagerRequest>, options?: CallOptions): Promise<Reply<TaskManagerDetailsReply>>;
  getClusterOverview(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<ClusterOverviewReply>>;
  /** All `count` slots in one transaction, or NotEnoughSlotsError and none. */
  requestSlots(request: MessageBody<RequestSlotsRequest>, options?: CallOptions): Promise<Reply<SlotAllocationsReply>>;
  releaseSlots(request: MessageBody<ReleaseSlotsRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  putJob(request: MessageBody<JobRecord>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  updateJobStatus(request: MessageBody<JobStatusUpdate>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  getJob(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<JobRecord>>;
  listJobs(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<JobRecordsReply>>;
}
