/**
 * The JobManager's contract (Flink's JobMasterGateway). For now it answers who it is; jobs,
 * slot offers and task state updates join it with the runtime.
 */
import { EmptyRequest, ServiceInfo } from '../common/protocol-message.dto';
import { CallOptions, MessageBody, Reply, rpc } from '../rpc/rpc-method';

export const JobMasterSubjects = {
  info: 'runnel.jobmanager.info',
} as const;

export const JobMasterProtocol = {
  info: rpc(JobMasterSubjects.info, EmptyRequest, ServiceInfo),
} as const;

export interface JobMasterGateway {
  info(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<ServiceInfo>>;
}
