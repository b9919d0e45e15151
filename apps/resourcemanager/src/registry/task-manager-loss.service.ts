/**
 * A TaskManager known to be gone before its heartbeats time out — its process exited (the
 * process provider or the local cluster saw it), or a JobMaster could not reach it — is lost at
 * once: its registration ends, its slots are freed, and the JobMasters that use it fail over now
 * (Flink's active ResourceManagers close a worker's connection when its container ends). The
 * heartbeat timeout stays the backstop for TaskManagers nobody sees die.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ResourceId } from '@runnel/protocol';
import { LOST_TASK_MANAGERS_NOTICE, type LostTaskManagersNotice } from './heartbeat-monitor.service';
import { TaskManagerRegistry } from './task-manager-registry.service';

@Injectable()
export class TaskManagerLoss {
  private readonly logger = new Logger('TaskManagerLoss');

  constructor(
    private readonly registry: TaskManagerRegistry,
    @Inject(LOST_TASK_MANAGERS_NOTICE) private readonly notice: LostTaskManagersNotice,
  ) {}

  /** False when it had no live registration (already lost, disconnected, or never registered). */
  async declare(resourceId: ResourceId, reason: string): Promise<boolean> {
    if (!(await this.registry.markUnreachable(resourceId, reason))) return false;
    // Without a JobManager answering (none leads at the moment) the JobMasters find out from their poll.
    await this.notice.taskManagersLost({ resourceIds: [resourceId] }, { timeoutMs: 2000 }).catch((error: unknown) => {
      this.logger.warn(`TaskManager ${resourceId} is lost, but telling the JobManager failed: ${(error as Error).message}`);
    });
    return true;
  }
}
