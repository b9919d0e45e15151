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
import { NatsConnection, ObjectStore, StorageType } from 'nats';
import { sha256Hex } from './artifact-store';
import { jetStreamReplicasFromEnv } from '../transport/jetstream-replicas';
import { retryWhileJetStreamUnavailable } from '../transport/jetstream-unavailable.retry';
import { readFile, rm } from 'node:fs/promises';
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

/** Where checkpoint state lives: the Object Store bucket, or a directory (shared by all services). */
export interface StateStore {
  write(jobId: JobId, checkpointId: CheckpointId, vertexId: string, subtask: number, bytes: Uint8Array): Promise<WrittenState>;
  read(handle: string, checksum: string): Promise<Uint8Array>;
  deleteCheckpoint(jobId: JobId, checkpointId: CheckpointId): Promise<void>;
}

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

export class CheckpointStore implements StateStore {
  private bucket?: Promise<ObjectStore>;

  constructor(
    private readonly connection: NatsConnection,
    private readonly namespace: ClusterNamespace = ClusterNamespace.DEFAULT,
    /** Copies JetStream keeps of the bucket when this creates it (JETSTREAM_REPLICAS; slot workers read the TaskManager's environment). */
    private readonly replicas: number = jetStreamReplicasFromEnv(),
  ) {}

  private store(): Promise<ObjectStore> {
    this.bucket ??= this.connection.jetstream().views.os(this.namespace.checkpointBucket, { storage: StorageType.File, replicas: this.replicas, description: 'Runnel checkpoint state' });
    this.bucket.catch(() => (this.bucket = undefined));
    return this.bucket;
  }

  async write(jobId: JobId, checkpointId: CheckpointId, vertexId: string, subtask: number, bytes: Uint8Array): Promise<WrittenState> {
    const handle = CheckpointNames.object(jobId, checkpointId, vertexId, subtask);
    const store = await this.store();
    await retryWhileJetStreamUnavailable(() => store.putBlob({ name: handle }, bytes));
    return { handle, size: bytes.length, checksum: sha256Hex(bytes) };
  }

  async read(handle: string, checksum: string): Promise<Uint8Array> {
    const store = await this.store();
    // Reading creates a consumer; on a NATS cluster missing a node that may time out once and work the next time.
    const bytes = await retryWhileJetStreamUnavailable(() => store.getBlob(handle));
    if (!bytes) throw new CorruptCheckpointError(handle, 'it is missing from the checkpoint store');
    const actual = sha256Hex(bytes);
    if (actual !== checksum) throw new CorruptCheckpointError(handle, `checksum ${actual} does not match the recorded ${checksum}`);
    return bytes;
  }

  /** Removes a checkpoint's objects (subsumed or failed checkpoints). */
  async deleteCheckpoint(jobId: JobId, checkpointId: CheckpointId): Promise<void> {
    const store = await this.store();
    const prefix = CheckpointNames.prefix(jobId, checkpointId);
    for (const entry of await store.list()) {
      if (entry.name.startsWith(prefix)) await store.delete(entry.name).catch(() => undefined);
    }
  }
}
