/**
 * Job isolation with real processes: slot workers hold no cluster credentials and reach NATS only
 * through their TaskManager, which allows them only their own job attempt's data and state.
 *
 * A nats-server of the test's own runs the `--secure` configuration (natsServerConfig: services,
 * taskmanagers and clients with their role permissions). Two TaskManagers, one slot each: tm-0 runs
 * its slot as a worker thread, tm-1 as a child process (TM_SLOT_ISOLATION=process).
 *
 * (a) WordCount at parallelism 2 gives the exact counts, its keyed exchange crossing the two
 *     TaskManagers through JetStream, under the taskmanagers user's narrow permissions.
 * (b) A job (fixtures/nats-probe.job.mjs) looks for credentials in its worker's environment,
 *     workerData and argv, connects to NATS with what it found, and forges I/O requests to its
 *     TaskManager for another job's data subject, checkpoint state and stream: nothing secret is
 *     there, NATS refuses the connection, the TaskManager refuses each request.
 * (c) The roles: clients are refused a JetStream API call and a KV read; taskmanagers are refused
 *     deleting a key of a KV bucket and creating or deleting streams; services may.
 */
import { ClusterNamespace } from '@runnel/protocol';
import { connect, type NatsConnection } from 'nats';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NATS_ROLES, natsServerConfig, startNatsServer, type NatsRole, type NatsServerHandle } from '@runnel/tools';
import { TestCluster } from './cluster/test-cluster';
import { countWords, readJsonLines } from './cluster/job-output';
import { httpJson, waitFor } from './support';

const repoRoot = resolve(__dirname, '..', '..');
const WORD_COUNT = join(repoRoot, 'examples', 'word-count.ts');
const PROBE = join(__dirname, 'fixtures', 'nats-probe.job.mjs');


interface ForgedAnswer {
  answered: boolean;
  error: { name: string; message: string } | null;
  value: string | null;
}

interface ProbeRow {
  subtask: number;
  sinkSubtask: number;
  sinkIsolation: 'thread' | 'process';
  isolation: 'thread' | 'process';
  seen: string;
  workerDataKeys: string[];
  natsEnv: string[];
  connectOutcome: string;
  foreignPublish: ForgedAnswer;
  foreignState: ForgedAnswer;
  foreignConsumer: ForgedAnswer;
}

/** Runs `call`, which must fail (a permission violation makes a request time out or reject). */
async function mustFail(call: () => Promise<unknown>): Promise<void> {
  let failed = false;
  await call().catch(() => (failed = true));
  if (!failed) throw new Error('the call was allowed');
}

/** The subjects NATS reported permission violations for on `nc`. */
function violationsOf(nc: NatsConnection): string[] {
  const subjects: string[] = [];
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'error' && s.data === 'PERMISSIONS_VIOLATION') subjects.push(String(s.permissionContext?.subject));
  })();
  return subjects;
}

/** The job's state, with its root exception when it did not finish (so a failure says why). */
async function outcome(cluster: TestCluster, jobId: string): Promise<{ state: string; exception?: string }> {
  const job = await cluster.waitForJob(jobId, ['FINISHED', 'FAILED']);
  if (job.state === 'FINISHED') return { state: job.state };
  const { body } = await httpJson<{ 'root-exception'?: string }>(`${cluster.url}/jobs/${jobId}/exceptions`);
  return { state: job.state, exception: body['root-exception'] };
}

describe('job isolation: slot workers without cluster credentials', () => {
  let work: string;
  let nats: NatsServerHandle;
  let cluster: TestCluster | undefined;
  const credentials = Object.fromEntries(NATS_ROLES.map((role) => [role, { user: role, password: randomBytes(24).toString('hex') }])) as Record<NatsRole, { user: string; password: string }>;
  const envOf = (role: NatsRole) => ({ NATS_USER: credentials[role].user, NATS_PASSWORD: credentials[role].password });
  const connectAs = (role: NatsRole) => connect({ servers: nats.url, user: credentials[role].user, pass: credentials[role].password, reconnect: false, timeout: 5_000 });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'runnel-e2e-isolation-'));
    const config = join(work, 'nats.conf');
    writeFileSync(config, natsServerConfig(credentials, ClusterNamespace.DEFAULT), { mode: 0o600 });
    nats = await startNatsServer({ storeDir: join(work, 'nats'), configFile: config, probeCredentials: credentials.services });
    cluster = await TestCluster.start({ taskManagers: 0, slots: 1, nats: { url: nats.url }, env: envOf('services') });
    // tm-0: the slot as a thread; tm-1: as a process. Both with the taskmanagers user.
    for (const [id, isolation] of [['tm-0', 'thread'], ['tm-1', 'process']] as const) {
      cluster.taskManagers.set(id, cluster.start('taskmanager', { ...envOf('taskmanagers'), HTTP_PORT: '0', TM_SLOTS: '1', RESOURCE_ID: id, TM_SLOT_ISOLATION: isolation }, id));
    }
    await cluster.waitForSlots(2, 2);
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('WordCount across a thread slot and a process slot gives the exact counts', async () => {
    const text = 'the quick brown fox\njumps over the lazy dog\nThe dog barks, the fox runs\n'.repeat(200) + 'zebra\n';
    const input = join(work, 'words.txt');
    writeFileSync(input, text);
    const output = join(work, 'wc-out');
    const jobId = await cluster!.run(await cluster!.uploadJob(WORD_COUNT), ['--input', input, '--output', `${output}/`], 2);
    expect(await outcome(cluster!, jobId)).toEqual({ state: 'FINISHED' });
    const job = await cluster!.job(jobId);
    const expected = countWords(text);
    const counted = readJsonLines<{ word: string; count: number }>(output);
    expect(counted).toHaveLength(expected.size);
    expect(new Map(counted.map((r) => [r.word, r.count]))).toEqual(expected);
    const count = job.vertices.find((v) => v.name.startsWith('Count'))!;
    expect(new Set(count.subtasks.map((s) => s['taskmanager-id']))).toEqual(new Set(['tm-0', 'tm-1']));
  }, 180_000);

  it('job code finds no credentials, cannot connect with what it finds, and its TaskManager refuses other jobs’ data', async () => {
    const output = join(work, 'probe-out');
    const otherJob = randomBytes(16).toString('hex');
    const jobId = await cluster!.run(await cluster!.uploadJob(PROBE), ['--nats', nats.url, '--output', output, '--other-job', otherJob], 2);
    expect(await outcome(cluster!, jobId)).toEqual({ state: 'FINISHED' });
    const rows = readdirSync(output).map((f) => JSON.parse(readFileSync(join(output, f), 'utf8')) as ProbeRow).sort((a, b) => a.subtask - b.subtask);
    expect(rows.map((r) => r.subtask)).toEqual([0, 1]);
    // One subtask in each kind of worker (tm-0 thread, tm-1 process).
    expect(new Set(rows.map((r) => r.isolation))).toEqual(new Set(['thread', 'process']));
    // Both rows met in one sink subtask: the other TaskManager's row crossed over through JetStream.
    expect(new Set(rows.map((r) => r.sinkSubtask)).size).toBe(1);
    expect(new Set(rows.map((r) => r.sinkIsolation)).size).toBe(1);
    const secrets = Object.values(credentials).map((c) => c.password);
    for (const row of rows) {
      expect({ isolation: row.isolation, natsEnv: row.natsEnv }).toEqual({ isolation: row.isolation, natsEnv: [] });
      for (const secret of secrets) expect({ isolation: row.isolation, leaked: row.seen.includes(secret) }).toEqual({ isolation: row.isolation, leaked: false });
      expect(row.seen).not.toContain(cluster!.db.url);
      expect(row.workerDataKeys.filter((k) => /nats|cred|url|token|password|checkpointDir/i.test(k))).toEqual([]);
      expect({ isolation: row.isolation, connect: row.connectOutcome }).toEqual({ isolation: row.isolation, connect: 'refused: AUTHORIZATION_VIOLATION' });
      for (const forged of [row.foreignPublish, row.foreignState, row.foreignConsumer]) {
        expect(forged).toMatchObject({ answered: true, value: null, error: { name: 'SlotIoRefusedError' } });
        expect(forged.error!.message).toMatch(new RegExp(`^slot 0 \\(job ${jobId}\\) may not do this through its TaskManager: .*${otherJob}`));
      }
    }
  }, 180_000);

  it('NATS holds each role to its permissions', async () => {
    const services = await connectAs('services');
    const clients = await connectAs('clients');
    const taskManagers = await connectAs('taskmanagers');
    try {
      // A KV bucket like the leader-election one, made by the services user.
      const bucket = `isolation-${randomBytes(4).toString('hex')}`;
      const kv = await services.jetstream().views.kv(bucket, { history: 1 });
      await kv.put('leader', new TextEncoder().encode('jm-0'));

      const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
      // clients: no JetStream API beyond the artifact bucket, no KV read.
      const clientViolations = violationsOf(clients);
      await mustFail(async () => (await clients.jetstreamManager({ timeout: 3_000 })).streams.list().next());
      await mustFail(() => clients.request(`$JS.API.DIRECT.GET.KV_${bucket}`, json({ last_by_subj: `$KV.${bucket}.leader` }), { timeout: 3_000 }));
      await mustFail(() => clients.request(`$JS.API.STREAM.MSG.GET.KV_${bucket}`, json({ last_by_subj: `$KV.${bucket}.leader` }), { timeout: 3_000 }));
      await waitFor(() => ['$JS.API.STREAM.LIST', `$JS.API.DIRECT.GET.KV_${bucket}`, `$JS.API.STREAM.MSG.GET.KV_${bucket}`].every((subject) => clientViolations.includes(subject)), {
        description: `permission violations of the clients user for the stream list and the KV reads (seen: ${clientViolations.join(', ')})`,
        timeoutMs: 10_000,
      });
      // taskmanagers: no deleting the leader key (a KV delete is a publish to $KV.<bucket>.<key>), no purge, no stream deletion.
      const tmViolations = violationsOf(taskManagers);
      await mustFail(() => taskManagers.request(`$JS.API.STREAM.PURGE.KV_${bucket}`, json({ filter: `$KV.${bucket}.leader` }), { timeout: 3_000 }));
      await mustFail(() => taskManagers.request(`$JS.API.STREAM.DELETE.KV_${bucket}`, new Uint8Array(), { timeout: 3_000 }));
      await mustFail(() => taskManagers.request(`$JS.API.STREAM.MSG.DELETE.KV_${bucket}`, json({ seq: 1 }), { timeout: 3_000 }));
      await mustFail(() => taskManagers.jetstream().publish(`$KV.${bucket}.leader`, new Uint8Array(), { timeout: 3_000 }));
      await waitFor(() => [`$JS.API.STREAM.PURGE.KV_${bucket}`, `$JS.API.STREAM.DELETE.KV_${bucket}`, `$JS.API.STREAM.MSG.DELETE.KV_${bucket}`, `$KV.${bucket}.leader`].every((subject) => tmViolations.includes(subject)), {
        description: `permission violations of the taskmanagers user for the purge, the deletions and the KV write (seen: ${tmViolations.join(', ')})`,
        timeoutMs: 10_000,
      });
      // The key is still there, and the services user may do what the others may not.
      expect(new TextDecoder().decode((await kv.get('leader'))!.value)).toBe('jm-0');
      await kv.delete('leader');
      expect((await kv.get('leader'))?.operation).toBe('DEL');
      await (await services.jetstreamManager()).streams.delete(`KV_${bucket}`);
    } finally {
      await Promise.all([services.close(), clients.close(), taskManagers.close()]);
    }
  }, 60_000);
});
