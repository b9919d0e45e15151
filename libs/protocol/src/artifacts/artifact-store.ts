/**
 * Job artifacts in the JetStream Object Store, content-addressed: an artifact's name in the bucket
 * is its sha256, so the same bytes are stored once and every reader can check what it got.
 */
import { ClusterNamespace } from '../cluster/cluster-namespace';
import { InvalidArtifactError, NotFoundError } from '../errors/runnel-errors';
import { jetStreamReplicasFromEnv } from '../transport/jetstream-replicas';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { NatsConnection, ObjectStore, StorageType } from 'nats';

export interface StoredArtifact {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly uploaded: number;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class ArtifactStore {
  private bucket?: Promise<ObjectStore>;
  private readonly fetching = new Map<string, Promise<string>>();

  constructor(
    private readonly connection: NatsConnection,
    private readonly namespace: ClusterNamespace = ClusterNamespace.DEFAULT,
    /** Copies JetStream keeps of the bucket when this creates it (JETSTREAM_REPLICAS). */
    private readonly replicas: number = jetStreamReplicasFromEnv(),
  ) {}

  private store(): Promise<ObjectStore> {
    this.bucket ??= this.connection.jetstream().views.os(this.namespace.artifactBucket, { storage: StorageType.File, replicas: this.replicas, description: 'Runnel job artifacts by sha256' });
    this.bucket.catch(() => (this.bucket = undefined));
    return this.bucket;
  }

  async put(bytes: Uint8Array, name: string): Promise<StoredArtifact> {
    const id = sha256Hex(bytes);
    const store = await this.store();
    const existing = await store.info(id);
    if (!existing || existing.deleted) await store.putBlob({ name: id, description: name }, bytes);
    const info = await store.info(id);
    return { id, name, size: info?.size ?? bytes.length, uploaded: info ? Date.parse(info.mtime) : Date.now() };
  }

  async info(id: string): Promise<StoredArtifact | undefined> {
    const info = await (await this.store()).info(id);
    if (!info || info.deleted) return undefined;
    return { id, name: info.description ?? id, size: info.size, uploaded: Date.parse(info.mtime) };
  }

  async list(): Promise<StoredArtifact[]> {
    const entries = await (await this.store()).list();
    return entries
      .filter((e) => !e.deleted)
      .map((e) => ({ id: e.name, name: e.description ?? e.name, size: e.size, uploaded: Date.parse(e.mtime) }))
      .sort((a, b) => b.uploaded - a.uploaded);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.info(id))) throw new NotFoundError('Job artifact', id);
    await (await this.store()).delete(id);
  }

  /** The artifact's bytes, checked against its hash. */
  async get(id: string): Promise<Uint8Array> {
    const bytes = await (await this.store()).getBlob(id);
    if (!bytes) throw new NotFoundError('Job artifact', id);
    if (sha256Hex(bytes) !== id) throw new InvalidArtifactError(`Job artifact ${id} does not match its hash (got ${sha256Hex(bytes)})`);
    return bytes;
  }

  /**
   * A local file with the artifact (cached in `directory`, fetched once). It keeps the name it was
   * uploaded with, so stack traces of user code name the user's file.
   */
  toFile(id: string, directory: string): Promise<string> {
    let pending = this.fetching.get(id);
    if (!pending) {
      pending = (async () => {
        const info = await this.info(id);
        if (!info) throw new NotFoundError('Job artifact', id);
        const name = basename(info.name).replace(/[^A-Za-z0-9._-]/g, '_').replace(/\.[cm]?[jt]s$/, '') || 'job';
        const file = join(directory, id, `${name}.mjs`);
        const cached = await readFile(file).catch(() => undefined);
        if (cached && sha256Hex(cached) === id) return file;
        const bytes = await this.get(id);
        await mkdir(dirname(file), { recursive: true });
        const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        await writeFile(temporary, bytes);
        await rename(temporary, file);
        return file;
      })();
      this.fetching.set(id, pending);
      pending.catch(() => this.fetching.delete(id));
    }
    return pending;
  }
}
