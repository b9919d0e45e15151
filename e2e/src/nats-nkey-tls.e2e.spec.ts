/**
 * NATS credentials against a real server, beyond user/password: a nats-server of the test's own
 * that accepts only one nkey user and only TLS connections with a client certificate from the
 * test's CA (mutual TLS). Every service and the TaskManagers connect with NATS_NKEY_SEED_FILE,
 * NATS_TLS_CA, NATS_TLS_CERT and NATS_TLS_KEY, and WordCount's keyed exchange crosses two
 * TaskManagers with exact counts. A service with another nkey, or without the CA, stops at start
 * with a message that says why, and the seed never appears in any output.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { nkeys } from 'nats';
import { startNatsServer, type NatsServerHandle } from '@runnel/tools';
import { TestCluster } from './cluster/test-cluster';
import { countWords, readJsonLines } from './cluster/job-output';
import { startService } from './support';

const repoRoot = resolve(__dirname, '..', '..');
const WORD_COUNT = join(repoRoot, 'examples', 'word-count.ts');

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function makePki(dir: string): void {
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=runnel-test-ca', '-keyout', 'ca.key', '-out', 'ca.pem');
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    writeFileSync(join(dir, `${name}.ext`), ext + '\n');
    openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=runnel-test-${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  }
}


describe('NATS with an nkey user and mutual TLS (real nats-server)', () => {
  let dir: string;
  let nats: NatsServerHandle;
  let cluster: TestCluster | undefined;
  let seed: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runnel-e2e-nkey-tls-'));
    makePki(dir);
    const user = nkeys.createUser();
    seed = new TextDecoder().decode(user.getSeed());
    writeFileSync(join(dir, 'user.nk'), seed + '\n', { mode: 0o600 });
    writeFileSync(
      join(dir, 'nats.conf'),
      [
        'tls {',
        `  cert_file: "${join(dir, 'server.pem')}"`,
        `  key_file: "${join(dir, 'server.key')}"`,
        `  ca_file: "${join(dir, 'ca.pem')}"`,
        '  verify: true',
        '}',
        `authorization { users: [ { nkey: "${user.getPublicKey()}" } ] }`,
        '',
      ].join('\n'),
    );
    env = {
      NATS_NKEY_SEED_FILE: join(dir, 'user.nk'),
      NATS_TLS_CA: join(dir, 'ca.pem'),
      NATS_TLS_CERT: join(dir, 'client.pem'),
      NATS_TLS_KEY: join(dir, 'client.key'),
    };
    nats = await startNatsServer({
      storeDir: join(dir, 'js'),
      configFile: join(dir, 'nats.conf'),
      probeCredentials: { nkeySeedFile: env.NATS_NKEY_SEED_FILE, tlsCa: env.NATS_TLS_CA, tlsCert: env.NATS_TLS_CERT, tlsKey: env.NATS_TLS_KEY },
    });
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs WordCount across two TaskManagers with the nkey and client certificate', async () => {
    cluster = await TestCluster.start({ taskManagers: 2, slots: 1, nats: { url: nats.url }, env });
    const text = Array.from({ length: 400 }, (_, i) => `alpha beta w${i % 37} gamma w${(i * 7) % 11}`).join('\n');
    const input = join(dir, 'words.txt');
    writeFileSync(input, text);
    const output = join(dir, 'counts');
    const jobId = await cluster.run(await cluster.uploadJob(WORD_COUNT), ['--input', input, '--output', `${output}/`], 2);
    const job = await cluster.waitForJob(jobId, ['FINISHED', 'FAILED'], 120_000);
    expect(job.state).toBe('FINISHED');
    const rows = readJsonLines<{ word: string; count: number }>(output);
    expect(new Map(rows.map((r) => [r.word, r.count]))).toEqual(countWords(text));
  }, 180_000);

  it('stops a service at start that presents another nkey, naming the refusal', async () => {
    const other = join(dir, 'other.nk');
    writeFileSync(other, new TextDecoder().decode(nkeys.createUser().getSeed()) + '\n', { mode: 0o600 });
    const rm = startService('dispatcher', { ...env, NATS_URL: nats.url, NATS_NKEY_SEED_FILE: other, HTTP_PORT: '0' });
    const exit = await rm.exited;
    expect(exit.code).not.toBe(0);
    expect(rm.logs().join('\n')).toMatch(/NATS refused the credentials.*authorization violation/i);
  }, 60_000);

  it('stops a service at start that does not trust the server certificate, naming TLS', async () => {
    const rm = startService('dispatcher', { NATS_URL: nats.url, NATS_NKEY_SEED_FILE: env.NATS_NKEY_SEED_FILE, HTTP_PORT: '0' });
    const exit = await rm.exited;
    expect(exit.code).not.toBe(0);
    expect(rm.logs().join('\n')).toMatch(/tls|certificate/i);
  }, 60_000);

  it('never prints the seed', () => {
    const seen = [...(cluster?.services ?? [])].flatMap((s) => s.logs()).join('\n');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).not.toContain(seed);
    expect(readFileSync(join(dir, 'user.nk'), 'utf8')).toContain(seed);
  });
});
