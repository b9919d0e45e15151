/**
 * The ResourceManager's contract: its subjects (defined here once), DTOs and gateway interface.
 * It owns the TaskManager and slot registry and the job store (Postgres).
 */
import { Acknowledge, EmptyRequest, ServiceInfo } from '../common/protocol-message.dto';
import { CallOptions, MessageBody, Reply, rpc } from '../rpc/rpc-method';
import { ClusterOverviewReply, TaskManagerDetailsReply, TaskManagersReply } from './dto/cluster-view.dto';
import {
  DisconnectTaskExecutorRequest,
  HeartbeatRequest,
  RegisterTaskExecutorRequest,
  RegistrationReply,
  TaskManagerRequest,
} from './dto/registration.dto';

export const ResourceManagerSubjects = {
  info: 'runnel.resourcemanager.info',
  registerTaskExecutor: 'runnel.resourcemanager.registerTaskExecutor',
  heartbeatFromTaskManager: 'runnel.resourcemanager.heartbeatFromTaskManager',
  disconnectTaskExecutor: 'runnel.resourcemanager.disconnectTaskExecutor',
  listTaskManagers: 'runnel.resourcemanager.listTaskManagers',
  getTaskManager: 'runnel.resourcemanager.getTaskManager',
  getClusterOverview: 'runnel.resourcemanager.getClusterOverview',
} as const;

export const ResourceManagerProtocol = {
  info: rpc(ResourceManagerSubjects.info, EmptyRequest, ServiceInfo),
  registerTaskExecutor: rpc(ResourceManagerSubjects.registerTaskExecutor, RegisterTaskExecutorRequest, RegistrationReply),
  heartbeatFromTaskManager: rpc(ResourceManagerSubjects.heartbeatFromTaskManager, HeartbeatRequest, Acknowledge),
  disconnectTaskExecutor: rpc(ResourceManagerSubjects.disconnectTaskExecutor, DisconnectTaskExecutorRequest, Acknowledge),
  listTaskManagers: rpc(ResourceManagerSubjects.listTaskManagers, EmptyRequest, TaskManagersReply),
  getTaskManager: rpc(ResourceManagerSubjects.getTaskManager, TaskManagerRequest, TaskManagerDetailsReply),
  getClusterOverview: rpc(ResourceManagerSubjects.getClusterOverview, EmptyRequest, ClusterOverviewReply),
} as const;

export interface ResourceManagerGateway {
  info(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<ServiceInfo>>;
  /** Registers (or re-registers, replacing the previous registration) a TaskManager and its slots. */
  registerTaskExecutor(request: MessageBody<RegisterTaskExecutorRequest>, options?: CallOptions): Promise<Reply<RegistrationReply>>;
  /** Fails with UnknownTaskManagerError when the TaskManager must register again. */
  heartbeatFromTaskManager(request: MessageBody<HeartbeatRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  disconnectTaskExecutor(request: MessageBody<DisconnectTaskExecutorRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  listTaskManagers(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<TaskManagersReply>>;
  getTaskManager(request: MessageBody<TaskManagerRequest>, options?: CallOptions): Promise<Reply<TaskManagerDetailsReply>>;
  getClusterOverview(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<ClusterOverviewReply>>;
}
