/**
 * A resource provider (seed 000: the ResourceManager "can talk to a resource provider to provision
 * containers in which TaskManager processes are started"): the mechanism that starts and stops
 * TaskManagers. The policy — how many, when idle ones go, when a crash loop stops — lives in the
 * ResourceProvisioner, so every provider (processes here, pods on Kubernetes) shares it.
 */
import type { JobId, ResourceId } from '@runnel/protocol';

export const RESOURCE_PROVIDER = Symbol('RESOURCE_PROVIDER');

export interface TaskManagerSpec {
  readonly slots: number;
  /** A per-job TaskManager: its slots go to this job only. */
  readonly dedicatedTo?: JobId;
  /** Other jobs whose checkpoint state the dedicated job restores from (a `savepoint://<job>/<n>` it started from): its NATS user may read them. */
  readonly restoresFrom?: readonly JobId[];
}

/** Something the provider started has stopped: asked to (`released`) or on its own (a crash). */
export interface TaskManagerExit {
  readonly resourceId: ResourceId;
  readonly released: boolean;
  /** Exit code, signal, last output: what the operator needs to know why. */
  readonly description: string;
}

export interface ResourceProviderEvents {
  started(resourceId: ResourceId, spec: TaskManagerSpec): void;
  lost(exit: TaskManagerExit): void;
}

/** A TaskManager the registry knows, as a provider needs it to stop one it did not start itself. */
export interface ProvidedTaskManager {
  readonly resourceId: string;
  readonly pid: number;
  readonly hostname: string;
}

export interface ResourceProvider {
  /** `standalone` starts nothing: someone else runs the TaskManagers. */
  readonly name: 'standalone' | 'process';
  readonly managesTaskManagers: boolean;
  /** Starts `n` TaskManagers; resolves with their ids once their processes exist (not yet registered). */
  requestTaskManagers(n: number, spec: TaskManagerSpec, events: ResourceProviderEvents): Promise<ResourceId[]>;
  /** Stops one gracefully (it deregisters); also one a previous ResourceManager leader started. */
  release(taskManager: ProvidedTaskManager): Promise<void>;
  /** Ids started by this instance whose processes are still alive. */
  running(): ReadonlySet<string>;
}

/** The default: TaskManagers are started by someone else (`npm start`, a process manager, …). */
export class StandaloneResourceProvider implements ResourceProvider {
  readonly name = 'standalone' as const;
  readonly managesTaskManagers = false;

  async requestTaskManagers(): Promise<ResourceId[]> {
    return [];
  }

  async release(): Promise<void> {
    // Not ours to stop.
  }

  running(): ReadonlySet<string> {
    return new Set();
  }
}
