/**
 * The TaskManager's contract (Flink's TaskExecutorGateway). Its subjects carry the TaskManager's
 * ResourceId, so each call reaches exactly one TaskManager.
 */
import { ServiceInfo, EmptyRequest } from '../common/protocol-message.dto';
import { CallOptions, MessageBody, Reply, rpc } from '../rpc/rpc-method';
import { SlotReportReply } from './dto/slot-report.dto';

export const TaskExecutorSubjects = {
  info: 'runnel.taskmanager.{resourceId}.info',
  requestSlotReport: 'runnel.taskmanager.{resourceId}.requestSlotReport',
} as const;

export const TaskExecutorProtocol = {
  info: rpc(TaskExecutorSubjects.info, EmptyRequest, ServiceInfo),
  requestSlotReport: rpc(TaskExecutorSubjects.requestSlotReport, EmptyRequest, SlotReportReply),
} as const;

export interface TaskExecutorGateway {
  info(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<ServiceInfo>>;
  requestSlotReport(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<SlotReportReply>>;
}
