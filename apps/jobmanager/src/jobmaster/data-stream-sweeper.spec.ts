/**
 * The DataStreamSweeper against a real NATS server (RUNNEL_TEST_NATS_URL or the local one), in a
 * cluster namespace of its own: streams of jobs that do not run go (unless younger than one
 * interval), so do streams of the former per-attempt layout; former attempts' consumers and
 * records in a running job's stream go, its current attempt's stay; a job being recovered and
 * other clusters' streams are left alone.
 */
import { ClusterNamespace, JobId, JobIds } from '@runnel/protocol';
import { randomBytes } from 'node:crypto';
import { AckPolicy, JetStreamManager, NatsConnection, RetentionPolicy, StorageType, connect } from 'nats';
import { DataStreamSweeper, LiveAttempts } from './data-stream-sweeper';

const NATS_URL = process.env.RUNNEL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const INTERVAL_MS = 60_000;

describe('DataStreamSweeper', () => {
  const namespace = ClusterNamespace.of(`sweep-${randomBytes(4).toString('hex')}`);
  const other = ClusterNamespace.of(`other-${randomBytes(4).toString('hex')}`);
  const names = namespace.data;
  const [ended, running, recovering, legacy] = [JobIds.generate(), JobIds.generate(), JobIds.generate(), JobIds.generate()];
  const made: string[] = [];
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const log = { log: () => undefined, warn: (m: string) => warnings.push(m) };
  const warnings: string[] = [];

  /** Runs `running` at attempt 2; `recovering` is claimed by a recovery; `ended` does not run. */
  const jobs: LiveAttempts = {
    isLive: (jobId) => jobId === running || jobId === recovering,
    currentAttempt: (jobId) => (jobId === running ? 2 : undefined),
  };

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL, noAsyncTraces: true });
    jsm = await nc.jetstreamManager();
  });

  afterAll(async () => {
    for (const name of made) await jsm?.streams.delete(name).catch(() => undefined);
    await nc?.drain();
  });

  /** A job's stream as the JobManager makes it, with consumers and records of some attempts. */
  const stream = async (ns: ClusterNamespace, jobId: JobId, attempts: number[]) => {
    const name = ns.data.stream(jobId);
    await jsm.streams.add({ name, subjects: [ns.data.streamSubjects(jobId)], storage: StorageType.Memory, retention: RetentionPolicy.Workqueue });
    made.push(name);
    for (const attempt of attempts) {
      await jsm.consumers.add(name, { durable_name: ns.data.consumer(attempt, 0, 0), filter_subject: ns.data.subject(jobId, attempt, 0, 0), ack_policy: AckPolicy.Explicit });
      await nc.jetstream().publish(ns.data.subject(jobId, attempt, 0, 0), new Uint8Array([attempt]));
      // A record no consumer reads: an old attempt's late publish, or a partition read later.
      await nc.jetstream().publish(ns.data.subject(jobId, attempt, 1, 3), new Uint8Array([attempt]));
    }
    return name;
  };
  const exists = async (name: string) => jsm.streams.info(name).then(() => true, () => false);
  const consumersOf = async (name: string) => {
    const found: string[] = [];
    for await (const c of jsm.consumers.list(name)) found.push(c.name);
    return found.sort();
  };
  const subjectsOf = async (name: string, jobId: JobId, ns = namespace) =>
    Object.keys((await jsm.streams.info(name, { subjects_filter: ns.data.streamSubjects(jobId) })).state.subjects ?? {}).sort();

  it('deletes ended jobs’ streams and former attempts of a running one; keeps the current attempt, recoveries and other clusters', async () => {
    const endedStream = await stream(namespace, ended, [0]);
    const runningStream = await stream(namespace, running, [0, 1, 2]);
    const recoveringStream = await stream(namespace, recovering, [0, 3]);
    const othersStream = await stream(other, ended, [0]);
    // A stream of the former layout (one per attempt, `runnel-data-<job>-<attempt>-<cluster>`), left by an older JobManager.
    const legacyStream = `runnel-data-${legacy}-1-${namespace.id}`;
    await jsm.streams.add({ name: legacyStream, subjects: [names.attemptSubjects(legacy, 1)], storage: StorageType.Memory });
    made.push(legacyStream);

    // Every stream is younger than one interval: only what is inside running jobs' streams is swept.
    const young = await new DataStreamSweeper(nc, namespace, jobs, INTERVAL_MS, log).sweep();
    expect(young).toEqual({ streams: [], attempts: [`${runningStream}/0`, `${runningStream}/1`] });
    expect(await exists(endedStream)).toBe(true);
    expect(await exists(legacyStream)).toBe(true);
    expect(await consumersOf(runningStream)).toEqual([names.consumer(2, 0, 0)]);
    expect(await subjectsOf(runningStream, running)).toEqual([names.subject(running, 2, 0, 0), names.subject(running, 2, 1, 3)]);

    // An interval later the ended job's stream goes too.
    const later = await new DataStreamSweeper(nc, namespace, jobs, INTERVAL_MS, log, () => Date.now() + 2 * INTERVAL_MS).sweep();
    expect({ ...later, streams: later.streams.sort() }).toEqual({ streams: [endedStream, legacyStream].sort(), attempts: [] });
    expect(await exists(endedStream)).toBe(false);
    expect(await exists(legacyStream)).toBe(false);
    expect(await consumersOf(runningStream)).toEqual([names.consumer(2, 0, 0)]);
    // A recovery's job: any attempt may be its own, nothing is touched.
    expect(await consumersOf(recoveringStream)).toEqual([names.consumer(0, 0, 0), names.consumer(3, 0, 0)]);
    expect((await subjectsOf(recoveringStream, recovering)).length).toBe(4);
    // Another cluster's stream of the same job id is not this cluster's to delete.
    expect(await exists(othersStream)).toBe(true);
    expect(await consumersOf(othersStream)).toEqual([other.data.consumer(0, 0, 0)]);
    expect(warnings).toEqual([]);
  });
});
