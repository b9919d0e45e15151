/**
 * REST security with real processes: a cluster (ResourceManager, JobManager, a TaskManager and
 * three dispatchers — one with full and read-only tokens, one with submit and cancel switched
 * off, one serving HTTPS with a self-signed certificate), all with REST_AUTH_TOKEN set. Requests
 * are sent with node:http so that Host, Origin and Sec-Fetch-Site are exactly what a test says.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tar from 'tar';
import { bundleJobArtifact } from '@runnel/dataflow';
import { TestDatabase, TestNats, TestService, createTestDatabase, findFreePort, startService, startTestNats, waitFor } from './support';

const EXAMPLES = resolve(__dirname, '../../examples');
const CLI = resolve(__dirname, '../../tools/bin/runnel.js');
const FULL = `full-${Math.random().toString(36).slice(2)}-token`;
const READ = `read-${Math.random().toString(36).slice(2)}-token`;
const READ_2 = `read2-${Math.random().toString(36).slice(2)}-token`;
const MAX_BYTES = 100_000;

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  body: { errors?: string[]; code?: string; [key: string]: unknown } | undefined;
}

interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  token?: string;
  ca?: Buffer;
}

function raw(url: string, options: RawRequest = {}): Promise<RawResponse> {
  const target = new URL(url);
  const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  return new Promise((resolvePromise, reject) => {
    const onResponse = (response: import('node:http').IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: RawResponse['body'];
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        resolvePromise({ status: response.statusCode ?? 0, headers: response.headers, text, body });
      });
    };
    const init = { method: options.method ?? 'GET', headers, timeout: 30_000 };
    const req = target.protocol === 'https:' ? httpsRequest(target, { ...init, ca: options.ca }, onResponse) : httpRequest(target, init, onResponse);
    req.on('timeout', () => req.destroy(new Error(`${init.method} ${url}: no answer`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A multipart/form-data body with one file in `jarfile`, as browsers and the CLI send it. */
async function multipart(bytes: Uint8Array, filename: string): Promise<{ body: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  form.append('jarfile', new Blob([bytes]), filename);
  const encoded = new Response(form);
  return { body: Buffer.from(await encoded.arrayBuffer()), headers: { 'content-type': encoded.headers.get('content-type')! } };
}

describe('REST security: tokens, cross-site requests, Host, limits, TLS', () => {
  let work: string;
  let nats: TestNats;
  let db: TestDatabase;
  const services: TestService[] = [];
  let url: string;
  let locked: string;
  let tls: string;
  let tmUrl: string;
  let cert: Buffer;
  let certPath: string;
  let jobArtifact: { bytes: Uint8Array; filename: string };

  const upload = async (base: string, bytes: Uint8Array, filename: string, extra: RawRequest = {}) => {
    const { body, headers } = await multipart(bytes, filename);
    return raw(`${base}/jars/upload`, { ...extra, method: 'POST', body, headers: { ...headers, ...extra.headers } });
  };
  const jarNames = async () => ((await raw(`${url}/jars`, { token: FULL })).body!.files as { name: string; id: string }[]).map((f) => f.name);
  /** A module that is a valid job and differs from every other one of this test (its own sha256). */
  const uniqueJob = (name: string) => new TextEncoder().encode(`export default (env) => { env.fromCollection([${JSON.stringify(name)}]).print(); };\n`);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'runnel-e2e-rest-security-'));
    certPath = join(work, 'cert.pem');
    const keyPath = join(work, 'key.pem');
    const openssl = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyPath, '-out', certPath],
      { encoding: 'utf8' },
    );
    if (openssl.status !== 0) throw new Error(`openssl failed: ${openssl.stderr}`);
    cert = readFileSync(certPath);
    jobArtifact = await bundleJobArtifact(join(EXAMPLES, 'word-count.ts'));

    nats = await startTestNats();
    db = await createTestDatabase();
    const env = {
      NATS_URL: nats.url,
      DATABASE_URL: db.url,
      HEARTBEAT_INTERVAL_MS: '300',
      HEARTBEAT_TIMEOUT_MS: '3000',
      REST_AUTH_TOKEN: FULL,
      REST_READ_TOKENS: `${READ}, ${READ_2}`,
      ARTIFACT_MAX_BYTES: String(MAX_BYTES),
      ARTIFACT_MAX_FILES: '50',
    };
    const [port, lockedPort, tlsPort, tmPort] = [await findFreePort(), await findFreePort(), await findFreePort(), await findFreePort()];
    url = `http://127.0.0.1:${port}`;
    locked = `http://127.0.0.1:${lockedPort}`;
    tls = `https://127.0.0.1:${tlsPort}`;
    tmUrl = `http://127.0.0.1:${tmPort}`;
    const start = (service: Parameters<typeof startService>[0], extra: Record<string, string>, name: string = service) => {
      services.push(startService(service, { ...env, ...extra }, name));
    };
    start('resourcemanager', { HTTP_PORT: '0' });
    start('jobmanager', { HTTP_PORT: '0' });
    start('dispatcher', { HTTP_PORT: String(port) });
    start('dispatcher', { HTTP_PORT: String(lockedPort), REST_SUBMIT_ENABLED: 'false', REST_CANCEL_ENABLED: 'false' }, 'dispatcher-locked');
    start('dispatcher', { HTTP_PORT: String(tlsPort), HTTP_TLS_CERT: certPath, HTTP_TLS_KEY: keyPath }, 'dispatcher-tls');
    start('taskmanager', { HTTP_PORT: String(tmPort), TM_SLOTS: '2', RESOURCE_ID: 'tm-0' }, 'tm-0');
    await waitFor(
      async () => {
        const overview = await raw(`${url}/overview`, { token: FULL }).catch(() => undefined);
        return overview?.status === 200 && overview.body!['taskmanagers'] === 1 && overview.body!['slots-available'] === 2;
      },
      { description: 'the secured cluster with its TaskManager', timeoutMs: 30_000 },
    );
    for (const base of [locked, tls]) {
      await waitFor(async () => (await raw(`${base}/health`, { ca: cert }).catch(() => undefined))?.status === 200, { description: `${base} to answer`, timeoutMs: 30_000 });
    }
  });

  afterAll(async () => {
    await Promise.allSettled(services.map((s) => s.stop()));
    await nats?.stop();
    await db?.drop();
    rmSync(work, { recursive: true, force: true });
  });

  it('answers 401 without a token or with a wrong one, in the usual error shape with WWW-Authenticate', async () => {
    for (const token of [undefined, 'wrong-token', FULL.slice(0, -1)]) {
      const jobs = await raw(`${url}/jobs`, { token });
      expect({ status: jobs.status, code: jobs.body?.code }).toEqual({ status: 401, code: 'UNAUTHORIZED' });
      expect(jobs.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(jobs.body!.errors![0]).toMatch(/Authorization: Bearer|not valid/);
      const up = await upload(url, uniqueJob('no-token'), 'no-token.mjs', { token });
      expect({ status: up.status, code: up.body?.code }).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    }
    expect(await jarNames()).not.toContain('no-token.mjs');
    // Every service with an HTTP port, not only the dispatcher.
    expect((await raw(`${tmUrl}/info`)).status).toBe(401);
    expect((await raw(`${tmUrl}/metrics`, { token: READ })).status).toBe(200);
  });

  it('serves /health and the dashboard page without a token', async () => {
    for (const base of [url, tmUrl]) expect((await raw(`${base}/health`)).status).toBe(200);
    for (const path of ['/', '/dashboard']) {
      const page = await raw(`${url}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.text).toContain('./web/dashboard.js');
    }
    // Its script is public too; it asks for the token on a 401 and sends it on every call.
    const script = await raw(`${url}/web/dashboard.js`);
    expect({ status: script.status, type: script.headers['content-type'] }).toEqual({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect(script.text).toContain('sessionStorage');
    expect(script.text).toMatch(/Authorization:\s*[`'"]Bearer [`'"]\s*\+/);
    // Only the built files are public: any other path under /web/ needs the token.
    expect((await raw(`${url}/web/..%2F..%2Fpackage.json`)).status).toBe(401);
  });

  it('lets the full token upload, plan and run; a read-only token read and plan, but not upload, run, delete or cancel', async () => {
    const up = await upload(url, jobArtifact.bytes, jobArtifact.filename, { token: FULL });
    expect(up.status).toBe(200);
    const jarId = up.body!['id'] as string;
    expect(await jarNames()).toContain(jobArtifact.filename);

    for (const token of [READ, READ_2]) {
      expect((await raw(`${url}/jobs`, { token })).status).toBe(200);
      expect((await raw(`${url}/overview`, { token })).status).toBe(200);
      const plan = await raw(`${url}/jars/${jarId}/plan`, { token, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ programArgsList: [] }) });
      expect({ status: plan.status, errors: plan.body?.errors }).toEqual({ status: 200, errors: undefined });
      const refused = [
        await upload(url, uniqueJob('read-token'), 'read-token.mjs', { token }),
        await raw(`${url}/jars/${jarId}/run`, { token, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
        await raw(`${url}/jars/${jarId}`, { token, method: 'DELETE' }),
        await raw(`${url}/jobs/${'0'.repeat(32)}?mode=cancel`, { token, method: 'PATCH' }),
        await raw(`${url}/jobs/${'0'.repeat(32)}/stop`, { token, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
      ];
      for (const r of refused) {
        expect({ status: r.status, code: r.body?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
        expect(r.body!.errors![0]).toMatch(/read-only token/);
      }
    }
    expect(await jarNames()).not.toContain('read-token.mjs');

    const input = join(work, 'words.txt');
    writeFileSync(input, 'to be or not to be\n');
    const run = await raw(`${url}/jars/${jarId}/run`, { token: FULL, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ programArgsList: ['--input', input], parallelism: 1 }) });
    expect({ status: run.status, errors: run.body?.errors }).toEqual({ status: 200, errors: undefined });
    const jobId = run.body!['jobid'] as string;
    await waitFor(async () => (await raw(`${url}/jobs/${jobId}`, { token: READ })).body?.['state'] === 'FINISHED', { description: 'WordCount to finish', timeoutMs: 60_000 });
  });

  it.each([
    ['a foreign Origin', { origin: 'http://evil.example' }],
    ['Origin: null', { origin: 'null' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
  ])('refuses a cross-site upload with %s (even with the full token) and stores nothing', async (what, headers) => {
    const name = `cross-site-${what.replace(/\W+/g, '-')}.mjs`;
    const up = await upload(url, uniqueJob(name), name, { token: FULL, headers });
    expect({ status: up.status, code: up.body?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(up.body!.errors![0]).toMatch(/Cross-site POST refused/);
    const cancel = await raw(`${url}/jobs/${'0'.repeat(32)}?mode=cancel`, { token: FULL, method: 'PATCH', headers });
    expect(cancel.status).toBe(403);
    expect(await jarNames()).not.toContain(name);
    // The service's own origin (the dashboard's requests) passes.
    const own = await upload(url, uniqueJob(`own-${name}`), `own-${name}`, { token: FULL, headers: { origin: url, 'sec-fetch-site': 'same-origin' } });
    expect({ status: own.status, body: own.body }).toMatchObject({ status: 200, body: { filename: `own-${name}` } });
  });

  it('refuses a foreign Host (DNS rebinding), for reads too', async () => {
    for (const [method, path] of [['GET', '/jobs'], ['GET', '/'], ['POST', '/jars/upload']]) {
      const r = await raw(`${url}${path}`, { method, token: FULL, headers: { host: 'evil.example' } });
      expect({ status: r.status, code: r.body?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
      expect(r.body!.errors![0]).toMatch(/ALLOWED_HOSTS/);
    }
    expect((await raw(`${url}/jobs`, { token: FULL, headers: { host: `localhost:${new URL(url).port}` } })).status).toBe(200);
  });

  it('answers malformed bodies with 400 (413 when too large), never 500', async () => {
    const json = { token: FULL, method: 'POST', headers: { 'content-type': 'application/json' } };
    const deep = `a${'[b]'.repeat(40)}=1`;
    const cases: [string, RawRequest, number][] = [
      ['urlencoded, 40 levels deep', { token: FULL, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: deep }, 400],
      ['text/plain', { token: FULL, method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"parallelism": 1}' }, 400],
      ['JSON that does not parse', { ...json, body: '{"programArgsList": [' }, 400],
      ['JSON over the body limit', { ...json, body: JSON.stringify({ programArgsList: ['x'.repeat(200_000)] }) }, 413],
    ];
    for (const [what, request, status] of cases) {
      const r = await raw(`${url}/jars/${'a'.repeat(64)}/run`, request);
      expect({ what, status: r.status, code: r.body?.code }).toEqual({ what, status, code: 'VALIDATION_FAILED' });
    }
  });

  it('stops reading an upload at ARTIFACT_MAX_BYTES: 400 while a 256 MiB upload is still being sent, nothing stored', async () => {
    const small = await upload(url, new Uint8Array(MAX_BYTES + 1), 'just-over.mjs', { token: FULL });
    expect({ status: small.status, code: small.body?.code }).toEqual({ status: 400, code: 'ARTIFACT_TOO_LARGE' });
    expect(small.body!.errors![0]).toMatch(`the limit is ${MAX_BYTES} bytes (ARTIFACT_MAX_BYTES)`);

    // Streamed by hand: the answer must come while most of the body is still unsent.
    const boundary = 'runnel-test-boundary';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="jarfile"; filename="huge.mjs"\r\nContent-Type: application/octet-stream\r\n\r\n`);
    const total = 256 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    let sent = 0;
    const started = Date.now();
    const answer = await new Promise<{ status: number; body: string; sentAtAnswer: number }>((resolvePromise, reject) => {
      const req = httpRequest(`${url}/jars/upload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${FULL}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + total) },
      });
      let answered = false;
      req.on('response', (response) => {
        answered = true;
        const sentAtAnswer = sent;
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          req.destroy();
          resolvePromise({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString(), sentAtAnswer });
        });
      });
      req.on('error', (error) => {
        if (!answered) reject(error);
      });
      req.write(head);
      const pump = () => {
        while (!answered && sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!answered) req.end();
      };
      pump();
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).code).toBe('ARTIFACT_TOO_LARGE');
    expect(answer.sentAtAnswer).toBeLessThan(total / 4);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await jarNames()).not.toEqual(expect.arrayContaining(['huge.mjs', 'just-over.mjs']));
    expect((await raw(`${url}/health`)).status).toBe(200);
  });

  describe('.tgz packages', () => {
    const pack = async (name: string, build: (dir: string) => void, entries: string[] = ['package'], options: Partial<tar.TarOptionsWithAliasesAsyncFile> = {}) => {
      const root = join(work, `pkg-${name}`);
      mkdirSync(join(root, 'package'), { recursive: true });
      build(join(root, 'package'));
      const file = join(work, `${name}.tgz`);
      await tar.c({ gzip: true, cwd: root, file, ...options } as tar.TarOptionsWithAliasesAsyncFile, entries);
      return readFileSync(file);
    };
    const job = (dir: string, main = 'job.mjs') => {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `pkg-${Math.random().toString(36).slice(2)}`, type: 'module', main }));
      writeFileSync(join(dir, 'job.mjs'), "export default (env) => { env.fromCollection(['a', 'b']).print(); };\n");
    };

    it.each([
      ['an entry with ../ in its path', () => pack('dotdot', (d) => { job(d); writeFileSync(join(d, '..', 'outside.mjs'), 'x'); }, ['package', 'package/../outside.mjs'], { preservePaths: true }), /has a "\.\." in its path/],
      ['a symbolic link out of the archive', () => pack('symlink', (d) => { job(d); symlinkSync('/etc/passwd', join(d, 'passwd')); }), /symbolic link .* outside the archive/],
      ['a package.json main outside the package', () => pack('main', (d) => job(d, '../../../../etc/hostname.mjs')), /"main" .* points outside the package/],
      ['more than ARTIFACT_MAX_FILES entries', () => pack('files', (d) => { job(d); for (let i = 0; i < 60; i++) writeFileSync(join(d, `f${i}.txt`), `${i}`); }), /more than 50 entries \(ARTIFACT_MAX_FILES\)/],
      ['more than ARTIFACT_MAX_UNPACKED_BYTES unpacked (a zip bomb)', () => pack('bomb', (d) => { job(d); writeFileSync(join(d, 'zeros.bin'), Buffer.alloc(5 * MAX_BYTES)); }), /ARTIFACT_MAX_UNPACKED_BYTES/],
    ])('refuses %s with 400, storing nothing', async (_what, make, message) => {
      const archive = await make();
      expect(archive.length).toBeLessThan(MAX_BYTES);
      const before = await jarNames();
      const up = await upload(url, archive, 'evil-1.0.0.tgz', { token: FULL });
      expect({ status: up.status, code: up.body?.code }).toEqual({ status: 400, code: 'INVALID_ARTIFACT' });
      expect(up.body!.errors![0]).toMatch(message);
      expect(await jarNames()).toEqual(before);
    });

    it('still takes a well-formed package', async () => {
      const up = await upload(url, await pack('good', (d) => job(d)), 'good-1.0.0.tgz', { token: FULL });
      expect(up.status).toBe(200);
    });
  });

  it('refuses uploads and runs with REST_SUBMIT_ENABLED=false, cancel and stop with REST_CANCEL_ENABLED=false (403, naming the setting)', async () => {
    const jar = ((await raw(`${url}/jars`, { token: FULL })).body!.files as { id: string }[])[0].id;
    const up = await upload(locked, uniqueJob('locked'), 'locked.mjs', { token: FULL });
    expect({ status: up.status, code: up.body?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(up.body!.errors![0]).toContain('REST_SUBMIT_ENABLED=false');
    const run = await raw(`${locked}/jars/${jar}/run`, { token: FULL, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect({ status: run.status, message: run.body!.errors![0] }).toEqual({ status: 403, message: expect.stringContaining('REST_SUBMIT_ENABLED=false') });
    for (const [method, path] of [['PATCH', `/jobs/${'0'.repeat(32)}?mode=cancel`], ['POST', `/jobs/${'0'.repeat(32)}/stop`]]) {
      const r = await raw(`${locked}${path}`, { token: FULL, method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect({ status: r.status, message: r.body!.errors![0] }).toEqual({ status: 403, message: expect.stringContaining('REST_CANCEL_ENABLED=false') });
    }
    // Reading and planning still work there.
    expect((await raw(`${locked}/jobs`, { token: READ })).status).toBe(200);
    expect(await jarNames()).not.toContain('locked.mjs');
  });

  it('serves HTTPS with HTTP_TLS_CERT/KEY; the CLI lists jobs over it with --ca and --token', async () => {
    const overview = await raw(`${tls}/overview`, { token: FULL, ca: cert });
    expect(overview.status).toBe(200);
    await expect(raw(`${tls}/health`)).rejects.toThrow(/self-signed|certificate/);

    const cli = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, RUNNEL_TOKEN: '', RUNNEL_CA: '', ...env } });
    const list = cli(['list', '-m', tls, '--ca', certPath, '--token', FULL]);
    expect({ status: list.status, stderr: list.stderr }).toEqual({ status: 0, stderr: '' });
    expect(list.stdout).toMatch(/[0-9a-f]{32} : WordCount \(FINISHED/);
    // The same from the environment.
    expect(cli(['list', '-m', tls], { RUNNEL_CA: certPath, RUNNEL_TOKEN: READ }).status).toBe(0);

    const noCa = cli(['list', '-m', tls, '--token', FULL]);
    expect(noCa.status).toBe(1);
    expect(noCa.stderr).toMatch(/--ca <file>/);
    const noToken = cli(['list', '-m', tls, '--ca', certPath]);
    expect(noToken.status).toBe(1);
    expect(noToken.stderr).toMatch(/401.*--token or RUNNEL_TOKEN/);
    const readOnly = cli(['cancel', '-m', tls, '--ca', certPath, '--token', READ, '0'.repeat(32)]);
    expect(readOnly.status).toBe(1);
    expect(readOnly.stderr).toMatch(/403.*read-only token/);
    for (const output of [list, noCa, noToken, readOnly]) expect(output.stdout + output.stderr).not.toContain(FULL);
  });

  it('never shows a token in any service’s output or /info', async () => {
    for (const base of [url, tmUrl]) {
      const info = await raw(`${base}/info`, { token: FULL });
      expect(info.status).toBe(200);
      for (const secret of [FULL, READ, READ_2]) expect(info.text).not.toContain(secret);
    }
    const tlsInfo = await raw(`${tls}/info`, { token: FULL, ca: cert });
    expect(tlsInfo.text).not.toContain(FULL);
    for (const service of services) {
      const output = service.logs().join('\n');
      expect(output).toContain('ready');
      for (const secret of [FULL, READ, READ_2]) expect({ service: service.name, leaks: output.includes(secret) }).toEqual({ service: service.name, leaks: false });
    }
  });
});
