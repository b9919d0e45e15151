/**
 * Declares TaskManagers lost when their heartbeats stop, and frees their slots. Right after this
 * ResourceManager starts it waits one timeout first: TaskManagers could not heartbeat while no
 * ResourceManager ran, and must get the chance to re-register before being called lost.
 */
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ResourceManagerSettings } from '../resourcemanager.settings';
import { TaskManagerRegistry } from './task-manager-registry.service';

@Injectable()
export class HeartbeatMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HeartbeatMonitor.name);
  private timer?: NodeJS.Timeout;
  private sweeping = false;
  private readonly startedAt = Date.now();

  constructor(
    private readonly registry: TaskManagerRegistry,
    @Inject(ResourceManagerSettings) private readonly settings: ResourceManagerSettings,
  ) {}

  onApplicationBootstrap(): void {
    // Sweep often enough that a lost TaskManager is noticed soon after its timeout passes.
    const every = Math.max(50, Math.min(1000, Math.floor(this.settings.heartbeatTimeoutMs / 10)));
    this.timer = setInterval(() => void this.sweep(), every);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<string[]> {
    if (this.sweeping || Date.now() - this.startedAt < this.settings.heartbeatTimeoutMs) return [];
    this.sweeping = true;
    try {
      const lost = await this.registry.expireSilent(this.settings.heartbeatTimeoutMs);
      for (const id of lost) this.logger.warn(`TaskManager ${id} lost: no heartbeat for ${this.settings.heartbeatTimeoutMs} ms; its slots are freed`);
      return lost;
    } catch (error) {
      this.logger.error(`heartbeat sweep failed: ${(error as Error).message}`);
      return [];
    } finally {
      this.sweeping = false;
    }
  }
}
