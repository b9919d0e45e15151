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
import { createAccount, createOperator, createUser, encodeAccount, encodeOperator, encodeUser, fmtCreds, type KeyPair } from '@nats-io/jwt';
import { ClusterNamespace } from '@runnel/protocol';
import { natsRolePermissions, startNatsServer, type NatsRole, type NatsServerHandle } from '@runnel/tools';
import { connect, credsAuthenticator } from 'nats';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TestCluster } from './cluster/test-cluster';
import { countWords, readJsonLines } from './cluster/job-output';
import { startService } from './support';

const WORD_COUNT = join(resolve(__dirname, '..', '..'), 'examples', 'word-count.ts');
// The JWT library's defaults are 0 (nothing allowed) for limits left out: -1 is unlimited.
const UNLIMITED = { subs: -1, data: -1, payload: -1 };
const ACCOUNT_LIMITS = { ...UNLIMITED, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1, mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 };


/** A .creds file for a new user of `account` with a role's permissions. */
async function writeCreds(dir: string, name: string, account: KeyPair, role: NatsRole): Promise<{ path: string; seed: string }> {
  const user = createUser();
  const { publish, subscribe, publishDeny = [] } = natsRolePermissions(ClusterNamespace.of())[role];
  const jwt = await encodeUser(name, user, account, { ...UNLIMITED, pub: { allow: [...publish], deny: [...publishDeny] }, sub: { allow: [...subscribe] } });
  const path = join(dir, `${name}.creds`);
  writeFileSync(path, fmtCreds(jwt, user), { mode: 0o600 });
  return { path, seed: new TextDecoder().decode(user.getSeed()) };
}

describe('NATS in operator (JWT) mode with .creds files (real nats-server)', () => {
  let dir: string;
  let nats: NatsServerHandle;
  let cluster: TestCluster | undefined;
  let account: KeyPair;
  const creds = {} as Record<'services' | 'taskmanagers', { path: string; seed: string }>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runnel-e2e-operator-'));
    const operator = createOperator();
    const system = createAccount();
    account = createAccount();
    const operatorJwt = await encodeOperator('runnel-test', operator, { system_account: system.getPublicKey() });
    const systemJwt = await encodeAccount('SYS', system, {}, { signer: operator });
    const accountJwt = await encodeAccount('RUNNEL', account, { limits: ACCOUNT_LIMITS }, { signer: operator });
    writeFileSync(
      join(dir, 'nats.conf'),
      [
        `operator: ${operatorJwt}`,
        `system_account: ${system.getPublicKey()}`,
        'resolver: MEMORY',
        'resolver_preload: {',
        `  ${system.getPublicKey()}: ${systemJwt}`,
        `  ${account.getPublicKey()}: ${accountJwt}`,
        '}',
        '',
      ].join('\n'),
    );
    creds.services = await writeCreds(dir, 'services', account, 'services');
    creds.taskmanagers = await writeCreds(dir, 'taskmanagers', account, 'taskmanagers');
    nats = await startNatsServer({ storeDir: join(dir, 'js'), configFile: join(dir, 'nats.conf'), probeCredentials: { credsFile: creds.services.path } });
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
    const stranger = await writeCreds(dir, 'stranger', createAccount(), 'services');
    const dispatcher = startService('dispatcher', { NATS_URL: nats.url, NATS_CREDS: stranger.path, HTTP_PORT: '0' });
    const exit = await dispatcher.exited;
    expect(exit.code).not.toBe(0);
    expect(dispatcher.logs().join('\n')).toMatch(/NATS refused the credentials.*authorization violation/i);
  }, 60_000);

  it('never prints a seed', () => {
    const seen = [...(cluster?.services ?? [])].flatMap((s) => s.logs()).join('\n');
    expect(seen.length).toBeGreaterThan(0);
    for (const { seed } of Object.values(creds)) expect(seen).not.toContain(seed);
    expect(seen).not.toContain(new TextDecoder().decode(account.getSeed()));
  });
});
