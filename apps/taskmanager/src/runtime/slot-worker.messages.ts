/** Messages between a TaskManager and a slot's worker (a thread, or a child process: the same messages). */
import type { NatsCredentials } from '@runnel/protocol';
import type { LocalPorts } from './local-channels';
import { CheckpointEvent, Deployment, TaskStateEvent } from './task-runner';

export type ToSlotWorker =
  | { readonly type: 'deploy'; readonly deployment: Deployment; readonly artifactPath: string; readonly ports: LocalPorts }
  | { readonly type: 'cancel'; readonly requestId: number; readonly executionAttemptId?: string }
  | { readonly type: 'close'; readonly requestId: number }
  | { readonly type: 'trigger-checkpoint'; readonly jobId: string; readonly executionAttemptId: string; readonly checkpointId: number }
  | { readonly type: 'checkpoint-complete'; readonly jobId: string; readonly checkpointId: number }
  | { readonly type: 'drain'; readonly jobId: string }
  /** Take a CPU profile for durationMs (the inspector's sampling profiler); answered by `profile`. */
  | { readonly type: 'profile'; readonly requestId: number; readonly durationMs: number; readonly samplingIntervalUs: number };

export type FromSlotWorker =
  | { readonly type: 'state'; readonly event: TaskStateEvent }
  | { readonly type: 'checkpoint'; readonly event: CheckpointEvent }
  | { readonly type: 'done'; readonly requestId: number }
  /** A subtask's task was built: its name (its chain's operators and subtask), for failures the TaskManager reports for it. */
  | { readonly type: 'task'; readonly executionAttemptId: string; readonly taskName: string }
  /** User code called process.exit(code): sent just before the worker ends. */
  | { readonly type: 'exit-called'; readonly code: number; readonly stack?: string }
  /** An uncaught exception or unhandled rejection ended a worker process (a thread's comes as its 'error' event). */
  | { readonly type: 'uncaught'; readonly error: { readonly name: string; readonly message: string; readonly stack?: string } }
  /** The worker's event loop turned (process isolation only; threads count in `SlotWorkerData.ticks`). */
  | { readonly type: 'tick' }
  /** A CPU profile (V8's cpuprofile JSON), or why none could be taken. */
  | { readonly type: 'profile'; readonly requestId: number; readonly profile?: import('node:inspector').Profiler.Profile; readonly error?: string };

export interface SlotWorkerData {
  readonly natsUrl: string;
  /**
   * The TaskManager's NATS credentials and TLS (user/password, token, nkey seed or creds file
   * path, CA/cert/key paths): the worker connects as the TaskManager does. Job code in the worker
   * can read them (see the README's Security section).
   */
  readonly natsCredentials?: NatsCredentials;
  readonly slotIndex: number;
  readonly checkpointDir?: string;
  /** The TaskManager's CLUSTER_ID: the worker's data subjects, consumers and checkpoint bucket are in its namespace. */
  readonly clusterId?: string;
  /** Watchdog counter (threads): the worker increments element 0 each time its event loop runs a tick timer. */
  readonly ticks?: Int32Array;
  /** How often the worker ticks (ms). */
  readonly tickIntervalMs?: number;
}

/** Where a child process (TM_SLOT_ISOLATION=process) finds its SlotWorkerData: JSON in this variable. */
export const SLOT_WORKER_DATA_ENV = 'RUNNEL_SLOT_WORKER_DATA';
