/**
 * The Dispatcher's NATS contract, for programmatic clients: the same views its REST API serves.
 * (Job submission joins it with the runtime.)
 */
import { EmptyRequest, ServiceInfo } from '../common/protocol-message.dto';
import { ClusterOverviewReply, TaskManagerDetailsReply, TaskManagersReply } from '../resourcemanager/dto/cluster-view.dto';
import { TaskManagerRequest } from '../resourcemanager/dto/registration.dto';
import { CallOptions, MessageBody, Reply, rpc } from '../rpc/rpc-method';

export const DispatcherSubjects = {
  info: 'runnel.dispatcher.info',
  overview: 'runnel.dispatcher.overview',
  listTaskManagers: 'runnel.dispatcher.listTaskManagers',
  getTaskManager: 'runnel.dispatcher.getTaskManager',
} as const;

export const DispatcherProtocol = {
  info: rpc(DispatcherSubjects.info, EmptyRequest, ServiceInfo),
  overview: rpc(DispatcherSubjects.overview, EmptyRequest, ClusterOverviewReply),
  listTaskManagers: rpc(DispatcherSubjects.listTaskManagers, EmptyRequest, TaskManagersReply),
  getTaskManager: rpc(DispatcherSubjects.getTaskManager, TaskManagerRequest, TaskManagerDetailsReply),
} as const;

export interface DispatcherGateway {
  info(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<ServiceInfo>>;
  overview(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<ClusterOverviewReply>>;
  listTaskManagers(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<TaskManagersReply>>;
  getTaskManager(request: MessageBody<TaskManagerRequest>, options?: CallOptions): Promise<Reply<TaskManagerDetailsReply>>;
}
