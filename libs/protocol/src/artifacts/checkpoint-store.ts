/**
 * Checkpoint state in the JetStream Object Store: one object per task and checkpoint, written by
 * the task, read back on restore. Every read is checked against the checksum the task reported,
 * so a corrupted checkpoint is detected instead of restored.
 */
import { CheckpointNames } from '../data/data-names';
import { ClusterNamespace } from '../cluster/cluster-namespace';
import { ErrorCodes } from '../errors/error-codes';
import { RunnelError } from '../errors/runnel-errors';
import { JobIds, type CheckpointId, type JobId } from '../ids/ids';
import { JetStreamManager, NatsConnection, ObjectStore, StorageType } from 'nats';
import { isStreamNotFound, objectStoreStream, openExistingObjectStore } from './object-store.bind';
import { sha256Hex } from './artifact-store';
import { jetStreamReplicasFromEnv } from '../transport/jetstream-replicas';
import { retryWhileJetStreamUnavailable } from '../transport/jetstream-unavailable.retry';
import { readFile, rm, rmdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { confinedJoin } from '../paths/confined-path.util';
import { CheckpointFs, durableMkdir, durableWriteFile, nodeCheckpointFs } from './checkpoint-fs';

export class CorruptCheckpointError extends RunnelError {
  constructor(handle: string, reason: string) {
    super(ErrorCodes.CorruptCheckpoint, `Checkpoint state ${handle} is unusable: ${reason}`, { handle });
  }
}

export interface WrittenState {
  readonly handle: string;
  readonly size: number;
  readonly checksum: string;
}

/** Where checkpoint state lives: one Object Store bucket per job, or a directory (shared by all services). */
export interface StateStore {
  write(jobId: JobId, checkpointId: CheckpointId, vertexId: string, subtask: number, bytes: Uint8Array): Promise<WrittenState>;
  read(handle: string, checksum: string): Promise<Uint8Array>;
  deleteCheckpoint(jobId: JobId, checkpointId: CheckpointId): Promise<void>;
  /** The JobManager's, before it deploys a job's tasks: where the job's state goes exists (idempotent). */
  createJobBucket(jobId: JobId): Promise<void>;
  /** The JobManager's, for a job that ended: removes where its state went when nothing is left there; true when gone. */
  deleteJobBucketIfEmpty(jobId: JobId): Promise<boolean>;
}

/** What the JobManager does with a job's checkpoint state (the part of StateStore its JobMasters use). */
export type JobCheckpointStore = Pick<StateStore, 'deleteCheckpoint' | 'createJobBucket' | 'deleteJobBucketIfEmpty'>;

/** The store a service uses: a directory when one is configured, the Object Store otherwise. */
export function stateStoreFor(connection: NatsConnection, directory?: string, namespace: ClusterNamespace = ClusterNamespace.DEFAULT, replicas?: number): StateStore {
  return directory ? new DirectoryCheckpointStore(directory) : new CheckpointStore(connection, namespace, replicas);
}

/**
 * Checkpoint state as files under a directory every TaskManager and JobManager can reach (a
 * shared or network file system): the same handles, names and checksums as the Object Store.
 * A write resolves (and the task acknowledges) only once the file and its directory entries are
 * fsynced: an acknowledged checkpoint survives a crash of the machine, not only of the process.
 */
export class DirectoryCheckpointStore implements StateStore {
  constructor(
    private readonly root: string,
    private readonly fs: CheckpointFs = nodeCheckpointFs,
  ) {}

  /** Where a checkpoint's state lives (`<root>/<job>/chk-<n>`): the path a job can be started from. */
  checkpointDirectory(jobId: JobId, checkpointId: CheckpointId): string {
    return this.file(CheckpointNames.prefix(checkedJobId(jobId), checkpointId).replace(/\/$/, ''));
  }

  async write(jobId: JobId, checkpointId: CheckpointId, vertexId: string, subtask: number, bytes: Uint8Array): Promise<WrittenState> {
    const handle = CheckpointNames.object(checkedJobId(jobId), checkpointId, vertexId, subtask);
    const file = this.file(handle);
    await durableMkdir(this.fs, dirname(file));
    await durableWriteFile(this.fs, file, bytes);
    return { handle, size: bytes.length, checksum: sha256Hex(bytes) };
  }

  async read(handle: string, checksum: string): Promise<Uint8Array> {
    // A handle comes from a message or a record: it must name a file inside the directory.
    const bytes = await readFile(this.file(handle)).catch(() => undefined);
    if (!bytes) throw new CorruptCheckpointError(handle, `it is missing from ${this.root}`);
    const actual = sha256Hex(bytes);
    if (actual !== checksum) throw new CorruptCheckpointError(handle, `checksum ${actual} does not match the recorded ${checksum}`);
    return bytes;
  }

  async deleteCheckpoint(jobId: JobId, checkpointId: CheckpointId): Promise<void> {
    await rm(this.file(CheckpointNames.prefix(checkedJobId(jobId), checkpointId).replace(/\/$/, '')), { recursive: true, force: true });
  }

  /** Nothing to create: a write makes the directories it needs. */
  async createJobBucket(jobId: JobId): Promise<void> {
    checkedJobId(jobId);
  }

  /** Removes the job's directory when it is empty (rmdir refuses one that is not). */
  async deleteJobBucketIfEmpty(jobId: JobId): Promise<boolean> {
    try {
      await rmdir(this.file(checkedJobId(jobId)));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
      if ((error as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  /** The file of a handle: a plain relative path whose real path stays inside the directory. */
  private file(handle: string): string {
    const file = confinedJoin(this.root, handle);
    if (!file) throw new CorruptCheckpointError(handle, `it does not name a file inside the checkpoint directory ${this.root}`);
    return file;
  }
}

/** The job id names a directory: checked again here, whatever the type says (callers may be plain JavaScript). */
function checkedJobId(jobId: JobId): JobId {
  if (!JobIds.isValid(jobId)) throw new CorruptCheckpointError(String(jobId), 'the job id is not 32 lower-case hex characters');
  return jobId;
}

/** Opened buckets kept per store: a TaskManager runs many jobs over its life, each with its own bucket. */
const OPEN_BUCKETS = 32;

/**
 * Checkpoint state in the JetStream Object Store, one bucket per job (`runnel-chk-<job>`,
 * ClusterNamespace.checkpointBucketOf): a NATS user scoped to one job can be allowed exactly its
 * bucket. Object names are the handles (`<job>/chk-<n>/<vertex>/<subtask>`), so a handle names
 * its bucket by its first segment: a job restored from another job's retained checkpoint or
 * savepoint reads that job's bucket.
 *
 * Only the JobManager creates a bucket (createJobBucket, before it deploys an attempt's tasks) and
 * deletes one (deleteJobBucketIfEmpty, once the job has ended and nothing of it is left). Writes,
 * reads and deletes only open an existing bucket: a TaskManager's NATS user may not create
 * streams, and a write for a job whose bucket is missing fails naming the bucket.
 *
 * Compatibility: older versions kept every job's state in one shared bucket (`runnel-checkpoints`,
 * ClusterNamespace.legacyCheckpointBucket). A read whose job bucket does not exist or lacks the
 * object falls back to it when it exists, and a delete removes a checkpoint's objects there when
 * its job bucket had none. Nothing writes to it or creates it any more.
 */
export class CheckpointStore implements StateStore {
  private readonly buckets = new Map<string, Promise<ObjectStore | undefined>>();
  private manager?: Promise<JetStreamManager>;

  constructor(
    private readonly connection: NatsConnection,
    private readonly namespace: ClusterNamespace = ClusterNamespace.DEFAULT,
    /** Copies JetStream keeps of a job's bucket when createJobBucket creates it (JETSTREAM_REPLICAS). */
    private readonly replicas: number = jetStreamReplicasFromEnv(),
  ) {}

  /** Creates the job's bucket unless it exists (idempotent): the JobManager's, before each attempt's deployment. */
  async createJobBucket(jobId: JobId): Promise<void> {
    const bucket = this.namespace.checkpointBucketOf(checkedJobId(jobId));
    await retryWhileJetStreamUnavailable(async () => {
      await this.connection.jetstream().views.os(bucket, { storage: StorageType.File, replicas: this.replicas, description: `Runnel checkpoint state of job ${jobId}` });
      // views.os ignores a lookup that fails otherwise than "stream not found" (a timeout) and then
      // creates nothing: the bucket is looked up once more, so that it surely exists.
      await (await this.jsm()).streams.info(objectStoreStream(bucket));
    });
    this.buckets.delete(bucket);
  }

  /**
   * Deletes the job's bucket when it holds no object (true then, and when there is none). Called
   * for a job that has ended for good: while it holds a retained checkpoint or a savepoint the
   * bucket stays, and goes when the last of them is deleted (see JobMaster and savepoint disposal).
   */
  async deleteJobBucketIfEmpty(jobId: JobId): Promise<boolean> {
    const bucket = this.namespace.checkpointBucketOf(checkedJobId(jobId));
    const store = await this.open(bucket);
    if (!store) return true;
    if ((await store.list()).length > 0) return false;
    this.buckets.delete(bucket);
    await store.destroy().catch((error) => {
      if (!isStreamNotFound(error)) throw error;
    });
    return true;
  }

  async write(jobId: JobId, checkpointId: CheckpointId, vertexId: string, subtask: number, bytes: Uint8Array): Promise<WrittenState> {
    const bucket = this.namespace.checkpointBucketOf(checkedJobId(jobId));
    const handle = CheckpointNames.object(jobId, checkpointId, vertexId, subtask);
    const store = await this.open(bucket);
    if (!store) {
      throw new RunnelError(ErrorCodes.NotFound, `Checkpoint bucket ${bucket} does not exist: the JobManager creates it before it deploys the job's tasks (a JobManager older than this TaskManager does not)`, { bucket });
    }
    await retryWhileJetStreamUnavailable(() => store.putBlob({ name: handle }, bytes));
    return { handle, size: bytes.length, checksum: sha256Hex(bytes) };
  }

  async read(handle: string, checksum: string): Promise<Uint8Array> {
    const jobId = CheckpointNames.jobOf(String(handle));
    if (!JobIds.isValid(jobId)) throw new CorruptCheckpointError(handle, 'it does not start with a job id (32 lower-case hex characters)');
    const bucket = this.namespace.checkpointBucketOf(jobId);
    const legacy = this.namespace.legacyCheckpointBucket;
    // The job's bucket, then (state of older versions) the shared one: neither is created here.
    const bytes = (await this.readFrom(bucket, handle)) ?? (await this.readFrom(legacy, handle));
    if (!bytes) throw new CorruptCheckpointError(handle, `it is missing from the checkpoint buckets ${bucket} and ${legacy}`);
    const actual = sha256Hex(bytes);
    if (actual !== checksum) throw new CorruptCheckpointError(handle, `checksum ${actual} does not match the recorded ${checksum}`);
    return bytes;
  }

  /** Removes a checkpoint's objects (subsumed or failed checkpoints, discarded ones, disposed savepoints). */
  async deleteCheckpoint(jobId: JobId, checkpointId: CheckpointId): Promise<void> {
    const prefix = CheckpointNames.prefix(checkedJobId(jobId), checkpointId);
    // A checkpoint's objects are all in one bucket: the shared one only for state older versions wrote.
    if ((await this.deleteFrom(this.namespace.checkpointBucketOf(jobId), prefix)) === 0) await this.deleteFrom(this.namespace.legacyCheckpointBucket, prefix);
  }

  private async readFrom(bucket: string, handle: string): Promise<Uint8Array | null> {
    const store = await this.open(bucket);
    // Reading creates a consumer; on a NATS cluster missing a node that may time out once and work the next time.
    return store ? retryWhileJetStreamUnavailable(() => store.getBlob(handle)) : null;
  }

  /** Deletes the objects under `prefix`; how many there were (0 when the bucket does not exist). */
  private async deleteFrom(bucket: string, prefix: string): Promise<number> {
    const store = await this.open(bucket);
    if (!store) return 0;
    let deleted = 0;
    for (const entry of await store.list()) {
      if (!entry.name.startsWith(prefix)) continue;
      deleted++;
      await store.delete(entry.name).catch(() => undefined);
    }
    return deleted;
  }

  private jsm(): Promise<JetStreamManager> {
    this.manager ??= this.connection.jetstreamManager();
    this.manager.catch(() => (this.manager = undefined));
    return this.manager;
  }

  /** An existing bucket (undefined when missing: not remembered, the JobManager may create it next). */
  private open(bucket: string): Promise<ObjectStore | undefined> {
    let opened = this.buckets.get(bucket);
    if (!opened) {
      opened = this.jsm().then((jsm) => retryWhileJetStreamUnavailable(() => openExistingObjectStore(this.connection, jsm, bucket)));
      this.buckets.set(bucket, opened);
      if (this.buckets.size > OPEN_BUCKETS) {
        // The oldest opened (a Map keeps insertion order): most likely a job that ended here.
        const oldest = this.buckets.keys().next();
        if (!oldest.done) this.buckets.delete(oldest.value);
      }
      const forget = () => this.buckets.get(bucket) === opened && this.buckets.delete(bucket);
      opened.then((store) => store ?? forget(), forget);
    }
    return opened;
  }
}
