/**
 * NATS and Postgres credentials with real processes.
 *
 * (a) A nats-server of the test's own that requires a user and password: a dispatcher and a
 *     TaskManager with a wrong NATS_PASSWORD exit at start (code 2) saying NATS refused the
 *     credentials; with the right ones (services one user, TaskManagers another) a cluster runs
 *     WordCount at parallelism 2 across two TaskManagers — so records cross between them through
 *     JetStream, which the slot workers reach through their TaskManager — to the exact counts.
 * (b) `npm start -- --secure --run …` (tools/dist/cluster/main.js, private NATS and Postgres)
 *     prints the job's exact rows; the secrets directory is 0700 and its files 0600; NATS refuses a
 *     connection without credentials; the `clients` user may call the dispatcher but not publish
 *     to the JobManager's subjects.
 * (c) No secret (NATS passwords, Postgres password, REST token) is in any service's log file, in
 *     any service's /info, or in what the command printed.
 */
import { connect, type NatsConnection } from 'nats';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startManagedProcess, startNatsServer, type ManagedProcess, type NatsServerHandle } from '@runnel/tools';
import { TestCluster } from './cluster/test-cluster';
import { countWords, readJsonLines } from './cluster/job-output';
import { findFreePort, httpJson, startService, waitFor } from './support';

const repoRoot = resolve(__dirname, '..', '..');
const clusterMain = join(repoRoot, 'tools', 'dist', 'cluster', 'main.js');
const WORD_COUNT = join(repoRoot, 'examples', 'word-count.ts');


describe('NATS with a user/password configuration', () => {
  let work: string;
  let nats: NatsServerHandle;
  let cluster: TestCluster | undefined;
  const services = { NATS_USER: 'services', NATS_PASSWORD: randomBytes(16).toString('hex') };
  const taskManagers = { NATS_USER: 'taskmanagers', NATS_PASSWORD: randomBytes(16).toString('hex') };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'runnel-e2e-secure-nats-'));
    const config = join(work, 'nats.conf');
    writeFileSync(
      config,
      `authorization { users = [\n` +
        `  { user: "services", password: "${services.NATS_PASSWORD}" }\n` +
        `  { user: "taskmanagers", password: "${taskManagers.NATS_PASSWORD}" }\n` +
        `] }\n`,
      { mode: 0o600 },
    );
    nats = await startNatsServer({ storeDir: join(work, 'nats'), configFile: config, probeCredentials: { user: 'services', password: services.NATS_PASSWORD } });
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it.each(['dispatcher', 'taskmanager'] as const)('a %s with a wrong NATS_PASSWORD exits at start, saying NATS refused the credentials', async (service) => {
    const wrong = randomBytes(16).toString('hex');
    const started = Date.now();
    const proc = startService(service, { NATS_URL: nats.url, HTTP_PORT: '0', NATS_USER: 'services', NATS_PASSWORD: wrong }, `${service}-wrong-password`);
    const exit = await proc.exited;
    expect(exit.code).toBe(2);
    expect(Date.now() - started).toBeLessThan(30_000);
    const output = proc.logs().join('\n');
    expect(output).toContain(`${service}: NATS refused the credentials (NATS_USER=services): authorization violation`);
    expect(output).not.toContain(wrong);
  });

  it('a password without a user is refused as a setting, without printing it', async () => {
    const secret = randomBytes(16).toString('hex');
    const proc = startService('taskmanager', { NATS_URL: nats.url, HTTP_PORT: '0', NATS_USER: undefined, NATS_PASSWORD: secret }, 'tm-password-only');
    expect((await proc.exited).code).toBe(2);
    const output = proc.logs().join('\n');
    expect(output).toContain('NATS_PASSWORD = <secret>: NATS_PASSWORD needs NATS_USER');
    expect(output).not.toContain(secret);
  });

  it('with the right credentials a cluster runs WordCount across two TaskManagers to the exact counts', async () => {
    cluster = await TestCluster.start({ taskManagers: 2, slots: 1, nats: { url: nats.url }, env: services, taskManagerEnv: taskManagers });
    const text = 'the quick brown fox\njumps over the lazy dog\nThe dog barks, the fox runs\n'.repeat(30) + 'zebra\n';
    const input = join(work, 'words.txt');
    writeFileSync(input, text);
    const output = join(work, 'wc-out');
    const jar = await cluster.uploadJob(WORD_COUNT);
    const jobId = await cluster.run(jar, ['--input', input, '--output', `${output}/`], 2);
    const job = await cluster.waitForJob(jobId, ['FINISHED', 'FAILED']);
    expect(job.state).toBe('FINISHED');
    const expected = countWords(text);
    const counted = readJsonLines<{ word: string; count: number }>(output);
    expect(counted).toHaveLength(expected.size);
    expect(new Map(counted.map((r) => [r.word, r.count]))).toEqual(expected);
    // Both TaskManagers ran subtasks: records crossed between their slot workers through JetStream.
    const count = job.vertices.find((v) => v.name.startsWith('Count'))!;
    expect(new Set(count.subtasks.map((s) => s['taskmanager-id']))).toEqual(new Set(['tm-0', 'tm-1']));
  }, 180_000);
});

describe('npm start -- --secure', () => {
  let dataDir: string;
  let proc: ManagedProcess | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'runnel-e2e-secure-cluster-'));
    // A private Postgres runs as user postgres, which must be able to enter the directory.
    chmodSync(dataDir, 0o755);
  });

  afterAll(async () => {
    await proc?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs WordCount with --run, keeps its secrets private, and NATS enforces the users', async () => {
    const text = 'The quick brown fox jumps over the lazy dog.\nThe dog sleeps; the FOX runs, and runs again!\n';
    writeFileSync(join(dataDir, 'words.txt'), text);
    const expected = countWords(text);
    const output = `${join(dataDir, 'out')}/`;
    const port = await findFreePort();
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info' };
    for (const key of ['NATS_URL', 'DATABASE_URL', 'NATS_USER', 'NATS_PASSWORD', 'NATS_TOKEN', 'NATS_CREDS', 'NATS_NKEY_SEED_FILE', 'REST_AUTH_TOKEN']) delete env[key];
    const cluster = startManagedProcess({
      name: 'cluster',
      command: process.execPath,
      args: [clusterMain, '--secure', '--taskmanagers', '2', '--slots', '2', '--port', String(port), '--data-dir', dataDir,
        '-p', '2', '--run', 'examples/word-count.ts', '--input', join(dataDir, 'words.txt'), '--output', output],
      env,
      cwd: repoRoot,
      output: process.env['RUNNEL_E2E_LOGS'] ? { type: 'prefix', stream: process.stderr } : { type: 'buffer' },
    });
    proc = cluster;
    const summary = new RegExp(`output ${output.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (\\d+) rows`);
    const lines = await waitFor(() => (summary.test(cluster.logs().join('\n')) ? cluster.logs() : undefined), {
      description: "the secure cluster to print the job's output",
      timeoutMs: 120_000,
      intervalMs: 250,
      abortIf: () => (cluster.exitInfo() ? new Error(`cluster exited:\n${cluster.logs().join('\n')}`) : undefined),
    });
    const all = lines.join('\n');
    expect(all).toContain(`REST token: ${join(dataDir, 'secrets', 'rest-token')}`);
    expect(all).toMatch(/job [0-9a-f]{32} FINISHED/);
    expect(Number(summary.exec(all)?.[1])).toBe(expected.size);
    const start = lines.findIndex((line) => summary.test(line));
    const printed = lines.slice(start + 1, start + 1 + expected.size).map((line) => JSON.parse(line.trim()) as { word: string; count: number });
    expect(new Map(printed.map((r) => [r.word, r.count]))).toEqual(expected);

    // The secrets: a directory only its owner may enter, files only its owner may read.
    const secretsDir = join(dataDir, 'secrets');
    expect(statSync(secretsDir).mode & 0o777).toBe(0o700);
    const files = readdirSync(secretsDir).sort();
    expect(files).toEqual(['nats-clients.password', 'nats-server.conf', 'nats-services.password', 'nats-taskmanagers.password', 'postgres.password', 'rest-token']);
    for (const file of files) expect({ file, mode: statSync(join(secretsDir, file)).mode & 0o777 }).toEqual({ file, mode: 0o600 });
    const secret = (file: string) => readFileSync(join(secretsDir, file), 'utf8').trim();
    const secrets = files.filter((f) => f !== 'nats-server.conf').map((f) => ({ file: f, value: secret(f) }));
    for (const { value } of secrets) expect(value).toMatch(/^[0-9a-f]{48}$/);

    // NATS: no credentials, no connection; the clients user reaches the dispatcher only.
    const natsUrl = /NATS (nats:\/\/127\.0\.0\.1:\d+),/.exec(all)?.[1];
    expect(natsUrl).toBeDefined();
    await expect(connect({ servers: natsUrl!, reconnect: false, maxReconnectAttempts: 0, timeout: 3_000 })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
    const client: NatsConnection = await connect({ servers: natsUrl!, user: 'clients', pass: secret('nats-clients.password'), reconnect: false });
    try {
      const violations: string[] = [];
      void (async () => {
        for await (const status of client.status()) {
          if (status.type === 'error' && status.data === 'PERMISSIONS_VIOLATION') violations.push(String(status.permissionContext?.subject));
        }
      })();
      const reply = await client.request('runnel.dispatcher.overview', new TextEncoder().encode('{}'), { timeout: 5_000 });
      expect(reply.data.length).toBeGreaterThan(0);
      client.publish('runnel.jobmanager.cancelJob', new TextEncoder().encode('{}'));
      await client.flush();
      await waitFor(() => violations.includes('runnel.jobmanager.cancelJob'), { description: 'a publish permission violation for runnel.jobmanager.cancelJob', timeoutMs: 5_000 });
      expect(client.isClosed()).toBe(false);
    } finally {
      await client.close();
    }

    // No secret in any service's log, any /info, or the command's own output.
    const logDir = join(dataDir, 'logs');
    const logs = readdirSync(logDir).filter((f) => f.endsWith('.log'));
    expect(logs).toEqual(expect.arrayContaining(['dispatcher.log', 'jobmanager.log', 'resourcemanager.log', 'taskmanager-1.log', 'taskmanager-2.log']));
    const token = secret('rest-token');
    const infos: string[] = [];
    for (const log of logs) {
      const content = readFileSync(join(logDir, log), 'utf8');
      for (const { file, value } of secrets) expect({ log, file, found: content.includes(value) }).toEqual({ log, file, found: false });
      const ready = content.split('\n').map((line) => /"url":"(https?:\/\/[^"]+)".*ready/.exec(line)?.[1]).find(Boolean);
      if (!ready) continue;
      const response = await fetch(`${ready}/info`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5_000) });
      expect({ log, status: response.status }).toEqual({ log, status: 200 });
      infos.push(await response.text());
    }
    expect(infos.length).toBeGreaterThanOrEqual(5);
    for (const info of infos) for (const { file, value } of secrets) expect({ file, found: info.includes(value) }).toEqual({ file, found: false });
    for (const { file, value } of secrets) expect({ file, found: cluster.logs().join('\n').includes(value) }).toEqual({ file, found: false });
    // And the REST API wants the token.
    expect((await httpJson(`http://127.0.0.1:${port}/overview`)).status).toBe(401);

    process.kill(cluster.pid, 'SIGTERM');
    expect(await cluster.exited).toEqual({ code: 0, signal: null });
  }, 240_000);
});
