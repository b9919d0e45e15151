/**
 * Per-job TaskManagers hold NATS credentials for their job alone (operator mode, real nats-server,
 * real services, TaskManagers started by the ResourceManager's process provider):
 *
 * - with TM_NATS_ACCOUNT_SEED_FILE the ResourceManager mints each per-job TaskManager a user of
 *   its own; the TaskManager's environment names that .creds file and its inbox prefix, and
 *   neither the shared TaskManager credentials, the account key nor the REST admin token;
 * - a keyed WordCount across two such TaskManagers (one slot each, so the exchange goes through
 *   JetStream) with checkpoints runs to the exact counts on those users alone;
 * - the same probes against another job's data stream, subjects and checkpoint bucket, the leader
 *   keys, the dispatcher and every inbox are refused to the minted user and allowed to the shared
 *   `taskmanagers` user (so a refusal is the scoping, not a broken probe);
 * - the .creds files are deleted when the TaskManagers stop, and no seed or token is in any
 *   service's output, TaskManager log file or /info;
 * - a per-job job resumed from another job's savepoint gets read access to that job's bucket
 *   (and no more), restores from it, and the two runs' output is exact;
 * - `runnel run-application` on this NATS with the account key runs its job per-job: the
 *   ResourceManager starts the TaskManagers, each with a minted user, and the counts are exact.
 */
import { decode } from '@nats-io/jwt';
import { ClusterNamespace, JobIds, type JobId } from '@runnel/protocol';
import { AckPolicy, connect, credsAuthenticator, RetentionPolicy, type NatsConnection } from 'nats';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bigWordCountInput, REPO_ROOT } from './cluster/cluster-process';
import { canonicalRows, readJsonLines, rollingSums } from './cluster/job-output';
import { startOperatorModeNats, type OperatorModeNats } from './cluster/operator-mode-nats';
import { TestCluster } from './cluster/test-cluster';
import { descendantPids, httpJson, TEST_ADMIN_URL, waitFor } from './support';
import { startManagedProcess } from '@runnel/tools';

const WORD_COUNT = join(REPO_ROOT, 'examples', 'word-count.ts');
const SLOW_COUNTER = join(REPO_ROOT, 'e2e', 'src', 'fixtures', 'slow-counter.job.mjs');
const ns = ClusterNamespace.DEFAULT;

type Outcome = 'allowed' | 'refused';

/** Whether the server lets this connection subscribe to `subject` (a refusal closes the subscription with a permissions error). */
async function subscribeOutcome(nc: NatsConnection, subject: string): Promise<Outcome> {
  const sub = nc.subscribe(subject);
  const ended = (async () => {
    try {
      for await (const _ of sub) void _;
      return 'ended';
    } catch (error) {
      return /permission/i.test((error as Error).message) ? 'refused' : `error: ${(error as Error).message}`;
    }
  })();
  await nc.flush();
  // The server answers a subscription it refuses right away; flush round-trips after it.
  const outcome = await Promise.race([ended, nc.flush().then(() => nc.flush()).then(() => 'allowed' as const)]);
  sub.unsubscribe();
  if (outcome !== 'allowed' && outcome !== 'refused') throw new Error(`subscription to ${subject}: ${outcome}`);
  return outcome;
}

/** Whether a JetStream or service request gets an answer (a denied publish is dropped by the server: the request times out). */
async function requestOutcome(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    await call();
    return 'allowed';
  } catch (error) {
    if (/timeout|permission|no responders/i.test((error as Error).message)) return 'refused';
    throw error;
  }
}

describe('per-job TaskManagers with NATS users of their own (operator mode)', () => {
  let dir: string;
  let operatorNats: OperatorModeNats;
  let cluster: TestCluster | undefined;
  let services: NatsConnection;
  const victim: JobId = JobIds.generate();
  const victimStream = ns.data.stream(victim);
  const victimBucket = ns.checkpointBucketOf(victim);
  const victimObject = `${victim}/chk-1/probe/0`;
  let shared: { path: string; seed: string };
  let servicesCredsPath: string;
  let credsDir: string;
  const minted = new Map<string, { creds: Uint8Array; inboxPrefix: string; file: string }>();
  let jobId: JobId;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runnel-e2e-perjob-creds-'));
    credsDir = join(dir, 'tm-credentials');
    operatorNats = await startOperatorModeNats(dir);
    const servicesCreds = await operatorNats.writeCreds('services', 'services');
    servicesCredsPath = servicesCreds.path;
    shared = await operatorNats.writeCreds('taskmanagers', 'taskmanagers');
    services = await connect({ servers: operatorNats.server.url, authenticator: credsAuthenticator(new Uint8Array(readFileSync(servicesCreds.path))) });
    // Another job's data stream (a record waiting on a durable consumer) and checkpoint state, made as the JobManager makes them.
    const jsm = await services.jetstreamManager();
    await jsm.streams.add({ name: victimStream, subjects: [ns.data.streamSubjects(victim)], retention: RetentionPolicy.Workqueue });
    await services.jetstream().publish(ns.data.subject(victim, 0, 0, 0), new TextEncoder().encode('secret record'));
    await jsm.consumers.add(victimStream, { durable_name: 'probe', ack_policy: AckPolicy.Explicit, filter_subject: ns.data.subject(victim, 0, 0, 0) });
    const bucket = await services.jetstream().views.os(victimBucket);
    await bucket.putBlob({ name: victimObject }, new TextEncoder().encode('secret state'));
    cluster = await TestCluster.start({
      taskManagers: 0,
      slots: 1,
      nats: { url: operatorNats.server.url },
      env: {
        NATS_CREDS: servicesCreds.path,
        RESOURCE_PROVIDER: 'process',
        TM_SLOTS: '1',
        TM_LOG_DIR: join(dir, 'tm-logs'),
        // Session TaskManagers would connect as the shared role; per-job ones get a user of their own.
        TM_NATS_CREDS: shared.path,
        TM_NATS_ACCOUNT_SEED_FILE: operatorNats.accountSeedFile,
        TM_CREDENTIALS_DIR: credsDir,
        REST_AUTH_TOKEN: 'perjob-admin-token-0123456789',
        // The provider's TaskManagers outlive their ResourceManager by design (a new leader adopts
        // them); these go when the test process does, also one that never registered.
        RUNNEL_PARENT_PID: String(process.pid),
      },
      restToken: 'perjob-admin-token-0123456789',
    });
  }, 120_000);

  afterAll(async () => {
    await services?.close();
    await cluster?.stop();
    await operatorNats?.server.stop();
    if (!process.env['KEEP_E2E_DIR']) rmSync(dir, { recursive: true, force: true }); else process.stdout.write(`kept ${dir}\n`);
  });

  it('runs a keyed WordCount with checkpoints on two per-job TaskManagers that hold only their own user', async () => {
    const { text, expected } = bigWordCountInput();
    const input = join(dir, 'words.txt');
    writeFileSync(input, text);
    const output = join(dir, 'counts');
    jobId = await cluster!.run(await cluster!.uploadJob(WORD_COUNT), ['--input', input, '--checkpoint-interval', '300', '--output', `${output}/`], 2, { target: 'per-job' });

    const dedicated = await waitFor(async () => {
      const tms = (await cluster!.taskManagerList()).filter((tm) => tm.dedicatedTo === jobId);
      return tms.length === 2 && tms;
    }, { description: 'two TaskManagers dedicated to the job', timeoutMs: 60_000 });
    for (const tm of dedicated) {
      const environ = readFileSync(`/proc/${tm.pid}/environ`, 'utf8');
      const env = new Map(environ.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      const file = join(credsDir, `${tm.id}.creds`);
      expect(env.get('NATS_CREDS')).toBe(file);
      expect(env.get('NATS_INBOX_PREFIX')).toBe(`_INBOX_${tm.id}`);
      // A TaskManager for one job runs its slots as processes by default.
      expect(env.get('TM_SLOT_ISOLATION')).toBe('process');
      for (const key of ['TM_NATS_CREDS', 'TM_NATS_ACCOUNT_SEED_FILE', 'NATS_USER', 'NATS_PASSWORD', 'NATS_TOKEN', 'REST_AUTH_TOKEN_FILE']) expect(env.has(key)).toBe(false);
      expect(environ).not.toContain(shared.path);
      expect(environ).not.toContain(operatorNats.accountSeedFile);
      expect(environ).not.toContain('perjob-admin-token-0123456789');
      expect(environ).not.toContain(new TextDecoder().decode(operatorNats.account.getSeed()));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      // Kept for the probes below: the user stays valid after its TaskManager is gone (its file does not).
      minted.set(tm.id, { creds: new Uint8Array(readFileSync(file)), inboxPrefix: env.get('NATS_INBOX_PREFIX')!, file });
    }

    const job = await cluster!.expectFinished(jobId, 180_000);
    expect(new Set(job.vertices.flatMap((v) => v.subtasks.map((s) => s['taskmanager-id'])))).toEqual(new Set(dedicated.map((tm) => tm.id)));
    expect(new Map(readJsonLines<{ word: string; count: number }>(output).map((r) => [r.word, r.count]))).toEqual(expected);
    const checkpoints = (await httpJson<{ counts: { completed: number } }>(`${cluster!.url}/jobs/${jobId}/checkpoints`, { token: cluster!.restToken })).body;
    expect(checkpoints.counts.completed).toBeGreaterThanOrEqual(1);
    await waitFor(() => [...minted.values()].every((m) => !existsSync(m.file)), { description: 'the per-job .creds files to be deleted with their TaskManagers', timeoutMs: 60_000 });
    // No secret in any output: the services' logs, the per-job TaskManagers' log files, every /info.
    const seeds = [...minted.values()].map((m) => /-----BEGIN USER NKEY SEED-----\n(\S+)\n/.exec(new TextDecoder().decode(m.creds))![1]);
    const secrets = [...seeds, new TextDecoder().decode(operatorNats.account.getSeed()), shared.seed, 'perjob-admin-token-0123456789'];
    const logDir = join(dir, 'tm-logs');
    const outputs = [
      ...cluster!.services.map((svc) => ({ where: `${svc.name} output`, text: svc.logs().join('\n') })),
      ...readdirSync(logDir).map((f) => ({ where: f, text: readFileSync(join(logDir, f), 'utf8') })),
    ];
    // Each control service's /info, at the URL its ready line names.
    for (const svc of cluster!.services) {
      const url = svc.logs().map((line) => /"url":"(https?:\/\/[^"]+)".*ready/.exec(line)?.[1]).find(Boolean);
      if (!url) continue;
      const info = await httpJson(`${url}/info`, { token: cluster!.restToken });
      expect({ svc: svc.name, status: info.status }).toEqual({ svc: svc.name, status: 200 });
      outputs.push({ where: `${svc.name} /info`, text: JSON.stringify(info.body) });
    }
    expect(outputs.filter((o) => o.where.endsWith('/info')).length).toBe(3);
    expect(outputs.filter((o) => o.where.startsWith('tm-job') && o.text.length > 0).length).toBeGreaterThanOrEqual(2);
    for (const { where, text } of outputs) for (const secret of secrets) expect({ where, leaked: text.includes(secret) }).toEqual({ where, leaked: false });
  }, 300_000);

  it('refuses the minted user what the shared taskmanagers user may do on another job, the leader keys and the dispatcher', async () => {
    expect(minted.size).toBe(2);
    const [{ creds, inboxPrefix }] = [...minted.values()];
    const scoped = await connect({ servers: operatorNats.server.url, authenticator: credsAuthenticator(creds), inboxPrefix });
    const wide = await connect({ servers: operatorNats.server.url, authenticator: credsAuthenticator(new Uint8Array(readFileSync(shared.path))) });
    try {
      const probes: Record<string, (nc: NatsConnection) => Promise<Outcome>> = {
        "another job's consumer": async (nc) => requestOutcome(async () => (await nc.jetstreamManager({ checkAPI: false, timeout: 2000 })).consumers.info(victimStream, 'probe')),
        "another job's records (pull)": async (nc) => requestOutcome(async () => {
          const m = await (await nc.jetstream({ timeout: 2000 }).consumers.get(victimStream, 'probe')).next({ expires: 1500 });
          // A pull that returns nothing is not a read; that counts as refused only if the server dropped the request.
          if (!m) throw new Error('timeout: no message');
          m.nak();
        }),
        // A record published into another job's exchange (a partition the probe consumer does not read): acknowledged, or dropped by the server.
        "another job's data subjects": async (nc) => requestOutcome(() => nc.jetstream({ timeout: 2000 }).publish(ns.data.subject(victim, 0, 0, 1), new TextEncoder().encode('injected'))),
        "another job's credits": (nc) => subscribeOutcome(nc, `runnel.credit.${victim}.>`),
        "another job's checkpoint state": async (nc) => requestOutcome(async () => {
          const bytes = await (await nc.jetstream({ timeout: 2000 }).views.os(victimBucket)).getBlob(victimObject);
          if (!bytes) throw new Error('timeout: nothing read');
        }),
      };
      for (const [name, probe] of Object.entries(probes)) {
        expect([name, await probe(wide)]).toEqual([name, 'allowed']);
        expect([name, await probe(scoped)]).toEqual([name, 'refused']);
      }
      // What neither TaskManager user may do, refused to the minted one as well.
      expect(await subscribeOutcome(scoped, '_INBOX.>')).toBe('refused');
      expect(await subscribeOutcome(scoped, 'runnel.taskmanager.>')).toBe('refused');
      expect(await requestOutcome(() => scoped.request('runnel.dispatcher.listJobs', new Uint8Array(), { timeout: 2000 }))).toBe('refused');
      expect(await requestOutcome(async () => (await scoped.jetstreamManager({ checkAPI: false, timeout: 2000 })).streams.delete(victimStream))).toBe('refused');
      expect(await requestOutcome(async () => (await scoped.jetstream({ timeout: 2000 }).views.kv('runnel-leaders', { bindOnly: true })).keys())).toBe('refused');
      // And what it is for: its own job's subjects.
      expect(await subscribeOutcome(scoped, `runnel.credit.${jobId}.>`)).toBe('allowed');
      // The other job's record is still there (a work-queue stream drops a message only when it is
      // acknowledged), beside the one the shared user injected and not the minted user's.
      expect((await (await services.jetstreamManager()).streams.info(victimStream)).state.messages).toBe(2);
    } finally {
      await scoped.close();
      await wide.close();
    }
  }, 120_000);

  it("resumes a per-job job from another job's savepoint, reading that job's bucket with a user that may only read it", async () => {
    const count = 3000;
    const first = join(dir, 'sp-first');
    const second = join(dir, 'sp-second');
    const token = cluster!.restToken;
    const jar = await cluster!.uploadJob(SLOW_COUNTER);
    const firstJob = await cluster!.run(jar, ['--count', String(count), '--output', `${first}/`], 2, { target: 'per-job' });
    await waitFor(async () => (await httpJson<{ counts: { completed: number } }>(`${cluster!.url}/jobs/${firstJob}/checkpoints`, { token })).body.counts.completed >= 1, { description: 'a checkpoint of the first job', timeoutMs: 90_000 });
    const trigger = await httpJson<{ 'request-id': string }>(`${cluster!.url}/jobs/${firstJob}/savepoints`, { body: { 'cancel-job': true }, token });
    expect(trigger.status).toBe(202);
    const done = await waitFor(async () => {
      const s = (await httpJson<{ status: { id: string }; operation?: { location?: string } }>(`${cluster!.url}/jobs/${firstJob}/savepoints/${trigger.body['request-id']}`, { token })).body;
      return s.status.id === 'COMPLETED' && s;
    }, { description: 'the savepoint to complete', timeoutMs: 60_000 });
    const savepointPath = done.operation?.location;
    // In the Object Store, in the first job's bucket: the second job's TaskManagers must read it there.
    expect(savepointPath).toBe(`savepoint://${firstJob}/${/\/(\d+)$/.exec(savepointPath ?? '')?.[1]}`);
    const resumed = await httpJson<{ jobid: string }>(`${cluster!.url}/jars/${jar}/run`, {
      body: { programArgsList: ['--count', String(count), '--output', `${second}/`], parallelism: 2, savepointPath, target: 'per-job' },
      timeoutMs: 60_000,
      token,
    });
    expect(resumed.status).toBe(200);
    const secondJob = JobIds.parse(resumed.body.jobid);
    // Its TaskManagers' users, as minted: the first job's bucket readable, not writable.
    const tms = await waitFor(async () => {
      const state = (await cluster!.job(secondJob)).state;
      if (['FAILED', 'CANCELED', 'FINISHED'].includes(state)) await cluster!.expectFinished(secondJob).then(() => { throw new Error('the second job finished before its TaskManagers were seen'); });
      const list = (await cluster!.taskManagerList()).filter((tm) => tm.dedicatedTo === secondJob);
      return list.length === 2 && list.every((tm) => existsSync(join(credsDir, `${tm.id}.creds`))) && list;
    }, { description: "the second job's two TaskManagers", timeoutMs: 60_000 });
    const claims = decode<{ pub: { allow: string[] } }>(/-----BEGIN NATS USER JWT-----\n(\S+)\n/.exec(readFileSync(join(credsDir, `${tms[0].id}.creds`), 'utf8'))![1]).nats;
    await cluster!.expectFinished(secondJob, 180_000);
    const restored = (await httpJson<{ counts: { restored: number } }>(`${cluster!.url}/jobs/${secondJob}/checkpoints`, { token })).body.counts.restored;
    expect(restored).toBeGreaterThanOrEqual(1);
    expect(canonicalRows([...readJsonLines(first), ...readJsonLines(second)])).toEqual(rollingSums(count, 7));
    const allowed = claims.pub?.allow ?? [];
    expect(allowed).toContain(`$JS.API.STREAM.MSG.GET.OBJ_${ns.checkpointBucketOf(firstJob)}`);
    expect(allowed).not.toContain(`$O.${ns.checkpointBucketOf(firstJob)}.>`);
    expect(allowed).toContain(`$O.${ns.checkpointBucketOf(secondJob)}.>`);
  }, 300_000);

  it('runs an application (run-application on this NATS) whose TaskManagers the ResourceManager starts with users for that job alone', async () => {
    const { text, expected } = bigWordCountInput(100_000);
    const input = join(dir, 'app-words.txt');
    writeFileSync(input, text);
    const output = join(dir, 'app-counts');
    const appCreds = join(dir, 'app-tm-credentials');
    const env: NodeJS.ProcessEnv = { ...process.env, NATS_URL: operatorNats.server.url, NATS_CREDS: servicesCredsPath, DATABASE_URL: TEST_ADMIN_URL, TM_NATS_ACCOUNT_SEED_FILE: operatorNats.accountSeedFile, TM_CREDENTIALS_DIR: appCreds, LOG_LEVEL: 'info' };
    for (const key of ['RUNNEL_REPO_ROOT', 'CLUSTER_ID', 'TM_NATS_CREDS', 'NATS_USER', 'NATS_PASSWORD', 'RESOURCE_PROVIDER']) delete env[key];
    const app = startManagedProcess({
      name: 'run-application',
      command: process.execPath,
      args: [join(REPO_ROOT, 'tools', 'bin', 'runnel.js'), 'run-application', '-p', '2', WORD_COUNT, '--input', input, '--output', `${output}/`],
      env,
      cwd: dir,
      output: { type: 'buffer' },
      keepLines: 5000,
    });
    try {
      // While it runs: a TaskManager below the command connects with a user minted for the job, under its own inbox prefix.
      const tm = await waitFor(() => {
        for (const pid of descendantPids(app.pid)) {
          let environ: string;
          try {
            environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
          } catch {
            continue;
          }
          const vars = new Map(environ.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
          if (vars.get('NATS_CREDS')?.startsWith(`${appCreds}/`)) return vars;
        }
        return undefined;
      }, { description: 'a TaskManager of the application with a minted user', timeoutMs: 90_000 });
      expect(tm.get('TM_DEDICATED_TO')).toMatch(/^[0-9a-f]{32}$/);
      expect(tm.get('NATS_INBOX_PREFIX')).toMatch(/^_INBOX_tm-job/);
      expect(tm.has('TM_NATS_ACCOUNT_SEED_FILE')).toBe(false);
      expect(tm.get('TM_SLOT_ISOLATION')).toBe('process');
      const exit = await app.exited;
      expect({ exit: exit.code, output: app.logs().slice(-30).join('\n') }).toMatchObject({ exit: 0 });
      expect(app.logs().join('\n')).toContain('started for this job by the ResourceManager, each with a NATS user for this job alone');
      expect(new Map(readJsonLines<{ word: string; count: number }>(output).map((r) => [r.word, r.count]))).toEqual(expected);
      // The users' files went with their TaskManagers.
      expect(existsSync(appCreds) ? readdirSync(appCreds) : []).toEqual([]);
    } finally {
      if (!app.exitInfo()) await app.kill();
    }
  }, 240_000);
});
