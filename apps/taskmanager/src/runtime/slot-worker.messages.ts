/** Messages between a TaskManager and a slot's worker (a thread, or a child process: the same messages). */
import type { CheckpointId, ExecutionAttemptId, JobId } from '@runnel/protocol';
import type { LocalPorts } from './local-channels';
import type { SlotIoReply, SlotIoRequest } from './slot-io.messages';
import { CheckpointEvent, Deployment, TaskStateEvent } from './task-runner';

export type ToSlotWorker =
  | { readonly type: 'deploy'; readonly deployment: Deployment; readonly artifactPath: string; readonly ports: LocalPorts }
  | { readonly type: 'cancel'; readonly requestId: number; readonly executionAttemptId?: ExecutionAttemptId }
  | { readonly type: 'close'; readonly requestId: number }
  | { readonly type: 'trigger-checkpoint'; readonly jobId: JobId; readonly executionAttemptId: ExecutionAttemptId; readonly checkpointId: CheckpointId }
  | { readonly type: 'checkpoint-complete'; readonly jobId: JobId; readonly checkpointId: CheckpointId }
  | { readonly type: 'drain'; readonly jobId: JobId }
  /** Take a CPU profile for durationMs (the inspector's sampling profiler); answered by `profile`. */
  | { readonly type: 'profile'; readonly requestId: number; readonly durationMs: number; readonly samplingIntervalUs: number }
  /** The answer to one of the worker's NATS I/O requests (slot-io.messages.ts). */
  | { readonly type: 'io-reply'; readonly reply: SlotIoReply }
  /** A message on one of the worker's subscriptions (credits). */
  | { readonly type: 'io-message'; readonly sid: number; readonly bytes: Uint8Array };

export type FromSlotWorker =
  | { readonly type: 'state'; readonly event: TaskStateEvent }
  | { readonly type: 'checkpoint'; readonly event: CheckpointEvent }
  | { readonly type: 'done'; readonly requestId: number }
  /** A subtask's task was built: its name (its chain's operators and subtask), for failures the TaskManager reports for it. */
  | { readonly type: 'task'; readonly executionAttemptId: ExecutionAttemptId; readonly taskName: string }
  /** User code called process.exit(code): sent just before the worker ends. */
  | { readonly type: 'exit-called'; readonly code: number; readonly stack?: string }
  /** An uncaught exception or unhandled rejection ended a worker process (a thread's comes as its 'error' event). */
  | { readonly type: 'uncaught'; readonly error: { readonly name: string; readonly message: string; readonly stack?: string } }
  /** The worker's event loop turned (process isolation only; threads count in `SlotWorkerData.ticks`). */
  | { readonly type: 'tick' }
  /** A CPU profile (V8's cpuprofile JSON), or why none could be taken. */
  | { readonly type: 'profile'; readonly requestId: number; readonly profile?: import('node:inspector').Profiler.Profile; readonly error?: string }
  /** NATS I/O the worker asks its TaskManager to do for it (it has no connection of its own). */
  | { readonly type: 'io'; readonly request: SlotIoRequest };

/**
 * What a worker is started with. No NATS URL, credentials, TLS files or other secrets: the worker
 * does its NATS I/O through the TaskManager (slot-io.*.ts), and its environment is filtered
 * (slot-worker.env.ts). Job code can read all of this.
 */
/** A process slot's fd of its TaskManager's stack pipe (stdio index 4: after stdin, stdout, stderr and IPC). */
export const STACK_FD = 4;

export interface SlotWorkerData {
  readonly slotIndex: number;
  /** The TaskManager's CLUSTER_ID: the names of the worker's data subjects and consumers are in its namespace. */
  readonly clusterId?: string;
  /** A process slot: fd 4 is the TaskManager's stack pipe (slot-process-stack.thread.ts). */
  readonly stackPipe?: boolean;
  /** The TaskManager's BUFFER_TIMEOUT_MS: the buffer timeout of jobs that set none. */
  readonly bufferTimeoutMs?: number;
  /** Watchdog counter (threads): the worker increments element 0 each time its event loop runs a tick timer. */
  readonly ticks?: Int32Array;
  /** How often the worker ticks (ms). */
  readonly tickIntervalMs?: number;
}

/** Where a child process (TM_SLOT_ISOLATION=process) finds its SlotWorkerData: JSON in this variable. */
export const SLOT_WORKER_DATA_ENV = 'RUNNEL_SLOT_WORKER_DATA';
