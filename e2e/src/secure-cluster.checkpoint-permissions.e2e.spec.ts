/**
 * The static `taskmanagers` NATS role (natsRolePermissions) against a real nats-server running
 * the configuration `npm start -- --secure` writes: with one checkpoint bucket per job a
 * TaskManager writes and reads the bucket of any job the JobManager (`services`) created, and
 * reads the legacy shared bucket, but creates no bucket and writes neither the artifact bucket
 * nor the legacy one.
 */
import { CheckpointIds, CheckpointStore, ClusterNamespace, ErrorCodes, JobIds, sha256Hex } from '@runnel/protocol';
import { natsServerConfig, startNatsServer, type NatsServerHandle } from '@runnel/tools';
import { connect, NatsConnection, StorageType } from 'nats';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ns = ClusterNamespace.of();
const credentials = {
  services: { user: 'services', password: 'services-secret' },
  taskmanagers: { user: 'taskmanagers', password: 'taskmanagers-secret' },
  clients: { user: 'clients', password: 'clients-secret' },
};
const bytes = (text: string) => new TextEncoder().encode(text);

describe('the taskmanagers role and per-job checkpoint buckets (real nats-server)', () => {
  let dir: string;
  let nats: NatsServerHandle;
  let services: NatsConnection;
  let taskManager: NatsConnection;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runnel-e2e-chk-perms-'));
    writeFileSync(join(dir, 'nats.conf'), natsServerConfig(credentials, ns));
    nats = await startNatsServer({ storeDir: join(dir, 'js'), configFile: join(dir, 'nats.conf'), probeCredentials: credentials.services });
    // nats.js calls the password `pass`.
    services = await connect({ servers: nats.url, user: credentials.services.user, pass: credentials.services.password });
    taskManager = await connect({ servers: nats.url, user: credentials.taskmanagers.user, pass: credentials.taskmanagers.password });
  }, 60_000);

  afterAll(async () => {
    await taskManager?.close();
    await services?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes and reads the bucket of any job the JobManager created, and reads the legacy shared bucket', async () => {
    const jobs = [JobIds.generate(), JobIds.generate()];
    for (const job of jobs) await new CheckpointStore(services, ns, 1).createJobBucket(job);
    const legacyHandle = `${JobIds.generate()}/chk-1/sum/0`;
    await (await services.jetstream().views.os(ns.legacyCheckpointBucket, { storage: StorageType.File })).putBlob({ name: legacyHandle }, bytes('old'));

    const store = new CheckpointStore(taskManager, ns, 1);
    for (const job of jobs) {
      const written = await store.write(job, CheckpointIds.parse(1), 'sum', 0, bytes(`state of ${job}`));
      // Written twice (a retried write): the put purges the chunks it replaces.
      await store.write(job, CheckpointIds.parse(1), 'sum', 0, bytes(`state of ${job}`));
      expect(new TextDecoder().decode(await store.read(written.handle, written.checksum))).toBe(`state of ${job}`);
    }
    expect(new TextDecoder().decode(await store.read(legacyHandle, sha256Hex(bytes('old'))))).toBe('old');
  }, 60_000);

  it('creates no bucket: a write for a job without one fails naming it, and STREAM.CREATE is refused', async () => {
    const job = JobIds.generate();
    const jsm = await services.jetstreamManager();
    const failure = await new CheckpointStore(taskManager, ns, 1).write(job, CheckpointIds.parse(1), 'sum', 0, bytes('x')).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: ErrorCodes.NotFound, message: expect.stringContaining(ns.checkpointBucketOf(job)) });
    const created = await (await taskManager.jetstreamManager({ timeout: 2000 })).streams
      .add({ name: `OBJ_${ns.checkpointBucketOf(job)}`, subjects: [`$O.${ns.checkpointBucketOf(job)}.>`] })
      .then(() => true, () => false);
    expect(created).toBe(false);
    await expect(jsm.streams.info(`OBJ_${ns.checkpointBucketOf(job)}`)).rejects.toThrow(/stream not found/);
  }, 30_000);

  it('does not write the artifact bucket or the legacy shared checkpoint bucket', async () => {
    const artifacts = await services.jetstream().views.os(ns.artifactBucket, { storage: StorageType.File });
    const legacy = await services.jetstream().views.os(ns.legacyCheckpointBucket, { storage: StorageType.File });
    for (const bucket of [ns.artifactBucket, ns.legacyCheckpointBucket]) {
      // The stream exists, so views.os only looks it up: the put itself is what the server refuses.
      const os = await taskManager.jetstream({ timeout: 2000 }).views.os(bucket);
      const put = await os.putBlob({ name: 'intruder' }, bytes('x')).then(() => true, () => false);
      expect({ bucket, put }).toEqual({ bucket, put: false });
    }
    expect(await artifacts.info('intruder')).toBeNull();
    expect(await legacy.info('intruder')).toBeNull();
  }, 30_000);
});
