/** Messages between a TaskManager and a slot's worker thread. */
import type { LocalPorts } from './local-channels';
import { CheckpointEvent, Deployment, TaskStateEvent } from './task-runner';

export type ToSlotWorker =
  | { readonly type: 'deploy'; readonly deployment: Deployment; readonly artifactPath: string; readonly ports: LocalPorts }
  | { readonly type: 'cancel'; readonly requestId: number; readonly executionAttemptId?: string }
  | { readonly type: 'close'; readonly requestId: number }
  | { readonly type: 'trigger-checkpoint'; readonly jobId: string; readonly executionAttemptId: string; readonly checkpointId: number }
  | { readonly type: 'checkpoint-complete'; readonly jobId: string; readonly checkpointId: number }
  | { readonly type: 'drain'; readonly jobId: string };

export type FromSlotWorker =
  | { readonly type: 'state'; readonly event: TaskStateEvent }
  | { readonly type: 'checkpoint'; readonly event: CheckpointEvent }
  | { readonly type: 'done'; readonly requestId: number };

export interface SlotWorkerData {
  readonly natsUrl: string;
  readonly slotIndex: number;
  readonly checkpointDir?: string;
  /** The TaskManager's CLUSTER_ID: the worker's data subjects, consumers and checkpoint bucket are in its namespace. */
  readonly clusterId?: string;
}
