/** The JobManager's NATS endpoint (Flink's JobMasterGateway); jobs arrive with the runtime. */
import { Controller, Inject } from '@nestjs/common';
import { HandleRpc, JobMasterProtocol } from '@runnel/protocol';
import { SERVICE_IDENTITY, ServiceIdentity } from '@runnel/service-kit';

@Controller()
export class JobManagerController {
  constructor(@Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity) {}

  @HandleRpc(JobMasterProtocol.info)
  info() {
    const { service, id, version, startedAt } = this.identity;
    return { service, id, version, uptimeMs: Date.now() - startedAt, pid: process.pid };
  }
}
