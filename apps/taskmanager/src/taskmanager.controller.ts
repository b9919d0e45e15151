/** The TaskManager's NATS endpoint (its subjects carry its ResourceId). */
import { Controller, Inject } from '@nestjs/common';
import { HandleRpc, TaskExecutorProtocol } from '@runnel/protocol';
import { SERVICE_IDENTITY, ServiceIdentity } from '@runnel/service-kit';
import { TaskSlotTable } from './slots/task-slot-table';

@Controller()
export class TaskManagerController {
  constructor(
    private readonly slots: TaskSlotTable,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  @HandleRpc(TaskExecutorProtocol.info)
  info() {
    const { service, id, version, startedAt } = this.identity;
    return { service, id, version, uptimeMs: Date.now() - startedAt, pid: process.pid };
  }

  @HandleRpc(TaskExecutorProtocol.requestSlotReport)
  requestSlotReport() {
    return { resourceId: this.identity.id, slots: this.slots.report() };
  }
}
