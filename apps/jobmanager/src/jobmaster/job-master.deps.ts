/** What a JobMaster needs from the outside world, as interfaces, so it is unit-tested with fakes. */
import { JobCheckpointStore, JobId, ResourceId, ResourceManagerGateway, TaskExecutorGateway } from '@runnel/protocol';
import { CheckpointRepository } from '../checkpoints/checkpoint.repository';
import type { JobHistorySettings } from './job-history';

/** Creates and deletes the JetStream stream that carries one job attempt's records. */
/** The job's data stream (one for all its attempts; jetstream-data-stream.admin.ts). */
export interface DataStreamAdmin {
  /** Makes sure the job's stream exists for this attempt; returns its name. */
  create(jobId: JobId, attempt: number): Promise<string>;
  /** An attempt is over: its consumers are deleted and its records purged; the stream stays. */
  releaseAttempt(jobId: JobId, attempt: number): Promise<void>;
  /** The job is over (finished, failed, cancelled; a stop with a savepoint is one of these): its stream is deleted. */
  delete(jobId: JobId): Promise<void>;
}

export interface JobMasterDeps {
  readonly resourceManager: ResourceManagerGateway;
  readonly taskExecutor: (resourceId: ResourceId) => TaskExecutorGateway;
  readonly dataStreams: DataStreamAdmin;
  readonly clock: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly log: { log(message: string): void; warn(message: string): void; error(message: string): void };
  readonly checkpoints: CheckpointRepository;
  /** The job's checkpoint bucket: created before each attempt's deployment, deleted once the job ended with nothing left in it. */
  readonly checkpointStore: JobCheckpointStore;
}

export interface JobMasterSettings {
  /** How long a job waits for enough free slots before it fails. */
  readonly slotRequestTimeoutMs: number;
  /** Pause between two slot requests while waiting. */
  readonly slotRetryIntervalMs: number;
  /** How often a running job checks that the TaskManagers of its tasks are still registered. */
  readonly taskManagerCheckIntervalMs: number;
  /** MAX_JOB_PARALLELISM: the largest parallelism of a submitted job's vertex (default 1024). */
  readonly maxJobParallelism?: number;
  /** JOB_HISTORY_SIZE / JOB_HISTORY_EXPIRY_MS: ended jobs kept in memory (see job-history.ts). */
  readonly jobHistory?: JobHistorySettings;
}
