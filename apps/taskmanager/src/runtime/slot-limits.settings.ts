/** The TaskManager's settings for its slots' workers: limits on user code, and how it is isolated. */
import { Logger } from '@nestjs/common';
import type { TaskManagerSettings } from '../taskmanager.settings';
import type { SlotWorkerOptions } from './slot-worker.host';
import type { SlotLimits } from './slot-transport.types';

const logger = new Logger('SlotWorker');

export function slotLimits(settings: TaskManagerSettings): SlotLimits {
  return {
    isolation: settings.slotIsolation ?? 'thread',
    memoryMb: settings.slotMemoryMb,
    stallTimeoutMs: settings.taskStallTimeoutMs,
    deployTimeoutMs: settings.deployTimeoutMs,
    cancelTimeoutMs: settings.cancelTimeoutMs,
  };
}

export function slotWorkerOptions(settings: TaskManagerSettings): SlotWorkerOptions {
  return {
    limits: slotLimits(settings),
    ...(settings.clusterId ? { clusterId: settings.clusterId } : {}),
    bufferTimeoutMs: settings.bufferTimeoutMs,
    log: (message) => logger.warn(message),
  };
}
