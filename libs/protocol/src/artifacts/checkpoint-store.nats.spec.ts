/**
 * The Object Store checkpoint store against a real NATS server (RUNNEL_TEST_NATS_URL, default
 * nats://127.0.0.1:4222; it must be there): one bucket per job, created only by createJobBucket,
 * the legacy shared bucket read as a fallback, a bucket deleted once nothing is left in it.
 * Each run has its own cluster namespace, so its buckets are its own.
 */
import { connect, NatsConnection, StorageType } from 'nats';
import { CheckpointIds, CheckpointStore, ClusterNamespace, CorruptCheckpointError, ErrorCodes, JobIds, sha256Hex, type JobId } from '../index';

const servers = process.env.RUNNEL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

describe('CheckpointStore (one bucket per job)', () => {
  let nc: NatsConnection;
  const ns = ClusterNamespace.of(`spec-${JobIds.generate().slice(0, 8)}`);
  const a = JobIds.generate();
  const b = JobIds.generate();
  const bytes = (text: string) => new TextEncoder().encode(text);
  const streams = async () => (await (await nc.jetstreamManager()).streams.names().next()).filter((name) => name.endsWith(`-${ns.id}`)).sort();
  const exists = async (bucket: string) => (await streams()).includes(`OBJ_${bucket}`);

  beforeAll(async () => {
    nc = await connect({ servers });
  });

  afterAll(async () => {
    const jsm = await nc.jetstreamManager();
    for (const name of await streams()) await jsm.streams.delete(name);
    await nc.close();
  });

  it('puts two jobs’ checkpoints in two buckets, and a store that never wrote for a job reads its handles', async () => {
    const jobManager = new CheckpointStore(nc, ns, 1);
    await jobManager.createJobBucket(a);
    await jobManager.createJobBucket(b);
    await jobManager.createJobBucket(a); // idempotent
    const taskManager = new CheckpointStore(nc, ns, 1);
    const wa = await taskManager.write(a, CheckpointIds.parse(1), 'sum', 0, bytes('state of a'));
    const wb = await taskManager.write(b, CheckpointIds.parse(1), 'sum', 0, bytes('state of b'));
    expect(wa.handle).toBe(`${a}/chk-1/sum/0`);
    expect(await streams()).toEqual([`OBJ_${ns.checkpointBucketOf(a)}`, `OBJ_${ns.checkpointBucketOf(b)}`].sort());
    const js = nc.jetstream();
    expect((await (await js.views.os(ns.checkpointBucketOf(a))).list()).map((o) => o.name)).toEqual([wa.handle]);
    expect((await (await js.views.os(ns.checkpointBucketOf(b))).list()).map((o) => o.name)).toEqual([wb.handle]);
    // A new job restoring from job a's checkpoint: its store has never touched a's bucket.
    const fresh = new CheckpointStore(nc, ns, 1);
    expect(new TextDecoder().decode(await fresh.read(wa.handle, wa.checksum))).toBe('state of a');
    await expect(fresh.read(wa.handle, sha256Hex(bytes('other')))).rejects.toThrow(/checksum/);
  });

  it('writes only to an existing bucket: a missing one is reported by name and not created', async () => {
    const job = JobIds.generate();
    const store = new CheckpointStore(nc, ns, 1);
    const failure = await store.write(job, CheckpointIds.parse(1), 'sum', 0, bytes('x')).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: ErrorCodes.NotFound, message: expect.stringContaining(ns.checkpointBucketOf(job)) });
    expect(await exists(ns.checkpointBucketOf(job))).toBe(false);
    // Nor does a read or a delete create it (or the shared bucket).
    await expect(store.read(`${job}/chk-1/sum/0`, 'x')).rejects.toBeInstanceOf(CorruptCheckpointError);
    await store.deleteCheckpoint(job, CheckpointIds.parse(1));
    expect(await exists(ns.checkpointBucketOf(job))).toBe(false);
    expect(await exists(ns.legacyCheckpointBucket)).toBe(false);
  });

  it('refuses a handle that does not start with a job id', async () => {
    const store = new CheckpointStore(nc, ns, 1);
    for (const handle of ['../x/chk-1/sum/0', 'chk-1', `${a.toUpperCase()}/chk-1/sum/0`]) {
      await expect(store.read(handle, 'x')).rejects.toBeInstanceOf(CorruptCheckpointError);
    }
    await expect(store.deleteCheckpoint('..' as JobId, CheckpointIds.parse(1))).rejects.toBeInstanceOf(CorruptCheckpointError);
  });

  it('reads state older versions wrote to the shared bucket, whether the job’s bucket is missing or lacks the object', async () => {
    const old = JobIds.generate();
    const legacy = await nc.jetstream().views.os(ns.legacyCheckpointBucket, { storage: StorageType.File });
    const handle = `${old}/chk-7/sum/0`;
    await legacy.putBlob({ name: handle }, bytes('legacy state'));
    const store = new CheckpointStore(nc, ns, 1);
    expect(new TextDecoder().decode(await store.read(handle, sha256Hex(bytes('legacy state'))))).toBe('legacy state');
    expect(await exists(ns.checkpointBucketOf(old))).toBe(false);
    // The job now has a bucket of its own (restarted by a new version) without that object.
    await store.createJobBucket(old);
    await store.write(old, CheckpointIds.parse(8), 'sum', 0, bytes('new state'));
    expect(new TextDecoder().decode(await store.read(handle, sha256Hex(bytes('legacy state'))))).toBe('legacy state');
    // Subsuming the old checkpoint removes it from the shared bucket; the new one stays in the job's.
    await store.deleteCheckpoint(old, CheckpointIds.parse(7));
    expect((await legacy.list()).map((o) => o.name)).toEqual([]);
    expect((await (await nc.jetstream().views.os(ns.checkpointBucketOf(old))).list()).map((o) => o.name)).toEqual([`${old}/chk-8/sum/0`]);
  });

  it('deletes a job’s bucket only once nothing is left in it', async () => {
    const job = JobIds.generate();
    const store = new CheckpointStore(nc, ns, 1);
    await store.createJobBucket(job);
    await store.write(job, CheckpointIds.parse(1), 'sum', 0, bytes('one'));
    await store.write(job, CheckpointIds.parse(2), 'sum', 0, bytes('two'));
    await store.deleteCheckpoint(job, CheckpointIds.parse(1));
    expect(await store.deleteJobBucketIfEmpty(job)).toBe(false);
    expect(await exists(ns.checkpointBucketOf(job))).toBe(true);
    await store.deleteCheckpoint(job, CheckpointIds.parse(2));
    expect(await store.deleteJobBucketIfEmpty(job)).toBe(true);
    expect(await exists(ns.checkpointBucketOf(job))).toBe(false);
    expect(await store.deleteJobBucketIfEmpty(job)).toBe(true);
    // A new attempt (or a JobManager taking the job over) creates it again, and writes work.
    await store.createJobBucket(job);
    await store.write(job, CheckpointIds.parse(3), 'sum', 0, bytes('three'));
  });
});
