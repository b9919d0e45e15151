import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callCluster, clusterConnection, ClusterRequestError, LOCAL_TOKEN_PATH } from './cluster-http.client';
import { CliUsageError } from './cli.errors';

describe('clusterConnection', () => {
  let repo: string;
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'runnel-cli-conn-'));
    mkdirSync(join(repo, '.runnel', 'secrets'), { recursive: true });
    writeFileSync(join(repo, LOCAL_TOKEN_PATH), 'local-token\n');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('takes --token, then RUNNEL_TOKEN, then the local cluster’s token file for a cluster on this machine', () => {
    expect(clusterConnection({ token: 'flag' }, { RUNNEL_TOKEN: 'env' }, repo).token).toBe('flag');
    expect(clusterConnection({}, { RUNNEL_TOKEN: 'env' }, repo).token).toBe('env');
    for (const m of [undefined, '127.0.0.1:8081', 'http://localhost:9000', 'https://[::1]:8443']) {
      expect(clusterConnection({ jobmanager: m }, {}, repo)).toMatchObject({ token: 'local-token', tokenSource: join(repo, LOCAL_TOKEN_PATH) });
    }
    expect(clusterConnection({ jobmanager: 'http://runnel.example.com:8081' }, {}, repo).token).toBeUndefined();
    expect(clusterConnection({}, {}, join(repo, 'nowhere')).token).toBeUndefined();
    expect(() => clusterConnection({ token: ' ' }, {}, repo)).toThrow(CliUsageError);
  });

  it('reads the CA from --ca or RUNNEL_CA, and says which one cannot be read', () => {
    const ca = join(repo, 'ca.pem');
    writeFileSync(ca, 'PEM');
    expect(clusterConnection({ ca }, {}, repo).ca?.toString()).toBe('PEM');
    expect(clusterConnection({}, { RUNNEL_CA: ca }, repo).ca?.toString()).toBe('PEM');
    expect(() => clusterConnection({ ca: join(repo, 'missing.pem') }, {}, repo)).toThrow(/--ca .*missing\.pem cannot be read \(ENOENT\)/);
    expect(() => clusterConnection({}, { RUNNEL_CA: join(repo, 'missing.pem') }, repo)).toThrow(/RUNNEL_CA .* cannot be read/);
  });
});

describe('callCluster', () => {
  let server: Server;
  let base: string;
  const seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
        const ok = req.headers.authorization === 'Bearer right';
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify(ok ? { jobs: [] } : { errors: ['Authentication required'], code: 'UNAUTHORIZED' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('sends the token on every call, JSON and multipart bodies, and says what to do on 401', async () => {
    const connection = { baseUrl: base, token: 'right', tokenSource: '--token' };
    await expect(callCluster(connection, '/jobs/overview')).resolves.toEqual({ jobs: [] });
    await callCluster(connection, '/jars/x/run', { method: 'POST', json: { parallelism: 2 } });
    const form = new FormData();
    form.append('jarfile', new Blob([new TextEncoder().encode('export default () => {}')]), 'job.mjs');
    await callCluster(connection, '/jars/upload', { form });
    expect(seen.map((s) => [s.method, s.url, s.headers.authorization])).toEqual([
      ['GET', '/jobs/overview', 'Bearer right'],
      ['POST', '/jars/x/run', 'Bearer right'],
      ['POST', '/jars/upload', 'Bearer right'],
    ]);
    expect(seen[1].body).toBe('{"parallelism":2}');
    expect(seen[2].headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen[2].body).toContain('filename="job.mjs"');

    await expect(callCluster({ baseUrl: base }, '/jobs')).rejects.toThrow(/GET \/jobs → 401: Authentication required \(give the cluster's token with --token or RUNNEL_TOKEN\)/);
    const refused = await callCluster({ baseUrl: base, token: 'wrong', tokenSource: 'RUNNEL_TOKEN' }, '/jobs').catch((e: Error) => e);
    expect(refused).toBeInstanceOf(ClusterRequestError);
    expect((refused as Error).message).toContain('the token from RUNNEL_TOKEN was refused');
    expect((refused as Error).message).not.toContain('wrong');
  });

  it('names the cluster it cannot reach', async () => {
    await expect(callCluster({ baseUrl: 'http://127.0.0.1:1' }, '/jobs')).rejects.toThrow(/cannot reach the cluster at http:\/\/127\.0\.0\.1:1/);
  });
});
