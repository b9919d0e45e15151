/**
 * Declares TaskManagers lost when their heartbeats stop, and frees their slots. Right after this
 * ResourceManager becomes the leader (at start when it runs alone) it waits one timeout first:
 * TaskManagers could not heartbeat while no ResourceManager led, and must get the chance to
 * re-register before being called lost. A standby never sweeps. The same after Postgres was
 * unreachable (a sweep failed): heartbeats could not be recorded meanwhile, so the TaskManagers get
 * one timeout of working Postgres to be seen again before any is called lost.
 */
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ResourceIds, type JobMasterGateway } from '@runnel/protocol';
import { LeadershipState, SERVICE_IDENTITY, ServiceIdentity } from '@runnel/service-kit';
import { ResourceManagerSettings } from '../resourcemanager.settings';
import { TaskManagerRegistry } from './task-manager-registry.service';

/** Where lost TaskManagers are reported: the leading JobManager. */
export const LOST_TASK_MANAGERS_NOTICE = Symbol('LOST_TASK_MANAGERS_NOTICE');
export type LostTaskManagersNotice = Pick<JobMasterGateway, 'taskManagersLost'>;

@Injectable()
export class HeartbeatMonitor implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(HeartbeatMonitor.name);
  private timer?: NodeJS.Timeout;
  private sweeping = false;
  /** When this instance became the leader; undefined while it is a standby. */
  private leaderSince?: number;
  /** When a sweep last failed (Postgres unreachable); no TaskManager is lost until one timeout after. */
  private failedAt?: number;
  /** The service is stopping: a sweep still running meets its database connection closing, which is no failure. */
  private stopping = false;

  constructor(
    private readonly registry: TaskManagerRegistry,
    @Inject(ResourceManagerSettings) private readonly settings: ResourceManagerSettings,
    private readonly leadership: LeadershipState,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    @Inject(LOST_TASK_MANAGERS_NOTICE) private readonly notice: LostTaskManagersNotice,
  ) {}

  onApplicationBootstrap(): void {
    this.leadership.onGranted(() => (this.leaderSince = Date.now()));
    // Sweep often enough that a lost TaskManager is noticed soon after its timeout passes.
    const every = Math.max(50, Math.min(1000, Math.floor(this.settings.heartbeatTimeoutMs / 10)));
    this.timer = setInterval(() => void this.sweep(), every);
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
    clearInterval(this.timer);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<string[]> {
    const timeout = this.settings.heartbeatTimeoutMs;
    if (this.stopping || this.sweeping || this.leaderSince === undefined || Date.now() - this.leaderSince < timeout) return [];
    if (this.failedAt !== undefined && Date.now() - this.failedAt < timeout) return [];
    this.sweeping = true;
    try {
      const lost = await this.registry.expireSilentWithEpoch(this.settings.heartbeatTimeoutMs);
      for (const { resourceId, resourceManagerId } of lost) {
        if (resourceManagerId === this.identity.id) {
          this.logger.warn(`TaskManager ${resourceId} lost: no heartbeat for ${this.settings.heartbeatTimeoutMs} ms; its slots are freed`);
        } else {
          // Registered with an earlier ResourceManager (a cluster restart) and never came back: its
          // slots were never offered by this one, so nothing was at risk.
          this.logger.log(`TaskManager ${resourceId} of an earlier ResourceManager did not register again within ${this.settings.heartbeatTimeoutMs} ms: dropped`);
        }
      }
      const ids = lost.map((l) => l.resourceId);
      // The JobMasters fail over now rather than at their next poll. Without a JobManager
      // answering (none leads at the moment) they still find out from that poll.
      // Registry rows are plain strings: only well-formed ids name a TaskManager in a message.
      const reported = ids.filter(ResourceIds.isValid);
      if (reported.length > 0) void this.notice.taskManagersLost({ resourceIds: reported }, { timeoutMs: 2000 }).catch(() => undefined);
      return ids;
    } catch (error) {
      // Seen at every other Ctrl-C of the local cluster: "Connection terminated" while Postgres' pool closes.
      if (this.stopping) return [];
      this.failedAt = Date.now();
      this.logger.error(`heartbeat sweep failed: ${(error as Error).message}`);
      return [];
    } finally {
      this.sweeping = false;
    }
  }
}
