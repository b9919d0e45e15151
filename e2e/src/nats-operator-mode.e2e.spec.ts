/**
 * NATS in operator (JWT) mode against a real nats-server: an operator, a system account and the
 * cluster's account (JetStream on) preloaded in the server's memory resolver, and users issued as
 * JWTs signed by the account key (no user in the server's config: that is what lets an operator
 * issue users at any time). Services connect with NATS_CREDS (.creds files: the user JWT and its
 * seed); the TaskManagers' user carries the `taskmanagers` role's permissions of `--secure`
 * (natsRolePermissions), so WordCount's keyed exchange across two TaskManagers works with only
 * those. A user signed by an account the server does not know stops a service at start, saying
 * so; the TaskManagers' user is refused a stream deletion; no seed appears in any output.
 */
import { createAccount } from '@nats-io/jwt';
import { connect, credsAuthenticator } from 'nats';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TestCluster } from './cluster/test-cluster';
import { countWords, readJsonLines } from './cluster/job-output';
import { startOperatorModeNats, type OperatorModeNats } from './cluster/operator-mode-nats';
import { startService } from './support';

const WORD_COUNT = join(resolve(__dirname, '..', '..'), 'examples', 'word-count.ts');

describe('NATS in operator (JWT) mode with .creds files (real nats-server)', () => {
  let dir: string;
  let operatorNats: OperatorModeNats;
  let nats: OperatorModeNats['server'];
  let cluster: TestCluster | undefined;
  const creds = {} as Record<'services' | 'taskmanagers', { path: string; seed: string }>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runnel-e2e-operator-'));
    operatorNats = await startOperatorModeNats(dir);
    nats = operatorNats.server;
    creds.services = await operatorNats.writeCreds('services', 'services');
    creds.taskmanagers = await operatorNats.writeCreds('taskmanagers', 'taskmanagers');
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs WordCount across two TaskManagers whose JWT user has only the taskmanagers permissions', async () => {
    cluster = await TestCluster.start({
      taskManagers: 2,
      slots: 1,
      nats: { url: nats.url },
      env: { NATS_CREDS: creds.services.path },
      taskManagerEnv: { NATS_CREDS: creds.taskmanagers.path },
    });
    const text = Array.from({ length: 400 }, (_, i) => `delta eps w${i % 41} zeta w${(i * 5) % 13}`).join('\n');
    const input = join(dir, 'words.txt');
    writeFileSync(input, text);
    const output = join(dir, 'counts');
    const jobId = await cluster.run(await cluster.uploadJob(WORD_COUNT), ['--input', input, '--output', `${output}/`], 2);
    const job = await cluster.waitForJob(jobId, ['FINISHED', 'FAILED'], 120_000);
    expect(job.state).toBe('FINISHED');
    expect(new Set(job.vertices.flatMap((v) => v.subtasks.map((s) => s['taskmanager-id'])))).toEqual(new Set(['tm-0', 'tm-1']));
    const rows = readJsonLines<{ word: string; count: number }>(output);
    expect(new Map(rows.map((r) => [r.word, r.count]))).toEqual(countWords(text));
  }, 180_000);

  it('refuses the TaskManagers’ user a stream deletion that the services’ user may do', async () => {
    const asUser = (path: string) => connect({ servers: nats.url, authenticator: credsAuthenticator(new Uint8Array(readFileSync(path))) });
    const services = await asUser(creds.services.path);
    const taskManagers = await asUser(creds.taskmanagers.path);
    try {
      const jsm = await services.jetstreamManager();
      await jsm.streams.add({ name: 'operator-probe', subjects: ['operator.probe'] });
      await expect((await taskManagers.jetstreamManager({ checkAPI: false })).streams.delete('operator-probe')).rejects.toThrow(/timeout|permission|no responders/i);
      expect((await jsm.streams.info('operator-probe')).config.name).toBe('operator-probe');
      expect(await jsm.streams.delete('operator-probe')).toBe(true);
    } finally {
      await taskManagers.close();
      await services.close();
    }
  }, 60_000);

  it('stops a service at start whose user is signed by an account the server does not know', async () => {
    const stranger = await operatorNats.writeCreds('stranger', 'services', createAccount());
    const dispatcher = startService('dispatcher', { NATS_URL: nats.url, NATS_CREDS: stranger.path, HTTP_PORT: '0' });
    const exit = await dispatcher.exited;
    expect(exit.code).not.toBe(0);
    expect(dispatcher.logs().join('\n')).toMatch(/NATS refused the credentials.*authorization violation/i);
  }, 60_000);

  it('never prints a seed', () => {
    const seen = [...(cluster?.services ?? [])].flatMap((s) => s.logs()).join('\n');
    expect(seen.length).toBeGreaterThan(0);
    for (const { seed } of Object.values(creds)) expect(seen).not.toContain(seed);
    expect(seen).not.toContain(new TextDecoder().decode(operatorNats.account.getSeed()));
  });
});
