/**
 * Property-based fuzzing of every input a cluster takes, against real services (one cluster, one
 * TaskManager): malformed and hostile REST requests across the routes of README's REST table —
 * wrong types, huge strings, deep nesting, traversal strings, bad ids, unknown fields, wrong
 * methods, odd characters in path parameters — and malformed NATS messages on the services'
 * subjects. Properties: no 5xx, every NATS request answered with a refusal (never INTERNAL, never
 * silence), no service process exited, and nothing changed: jars, jobs, the files under the
 * SAVEPOINT_DIRS root and its parent, and the row counts of the cluster's tables.
 *
 * Requests carry no Origin and no Authorization header (no token is configured here).
 */
import fc from 'fast-check';
import { connect, NatsConnection } from 'nats';
import { Client } from 'pg';
import { request as httpRequest } from 'node:http';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DispatcherSubjects, JobMasterSubjects, PROTOCOL_VERSION, ResourceManagerSubjects, TaskExecutorSubjects, bindSubject,
} from '@runnel/protocol';
import { httpJson, isProcessAlive, waitFor } from './support';
import { TestCluster } from './cluster/test-cluster';

const FIXTURES = resolve(__dirname, 'fixtures');
const REST_RUNS = 1100;
const NATS_RUNS = 330;
const REQUEST_TIMEOUT_MS = 10_000;

interface RawRequest {
  readonly method: string;
  /** Sent as written (not normalised: `..` and `%2e%2e` reach the server). */
  readonly path: string;
  readonly contentType?: string;
  readonly body?: string | Uint8Array;
}

/** One request with node:http (no Origin, no Authorization, no URL normalisation). */
function send(base: string, req: RawRequest): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolvePromise, reject) => {
    const body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : Buffer.from(req.body);
    const headers: Record<string, string | number> = {};
    if (req.contentType) headers['content-type'] = req.contentType;
    if (body) headers['content-length'] = body.length;
    const r = httpRequest({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    r.on('error', reject);
    if (body) r.write(body);
    r.end();
  });
}

/** Percent-encodes every byte but the unreserved ones (works for any string, lone surrogates too). */
function pct(value: string): string {
  let out = '';
  for (const b of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9_.~-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `base` as JSON with one more field (written out, so `__proto__` stays a plain key). */
function withField(base: Record<string, unknown>, key: string, value: unknown): string {
  const head = JSON.stringify(base).slice(0, -1);
  return `${head}${head.length > 1 ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(value)}}`;
}

/** Every file and directory below `dir`, with its size (symlinks as links). */
function listTree(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const info = lstatSync(path);
    const rel = `${prefix}${name}`;
    if (info.isSymbolicLink()) out.push(`${rel} -> link`);
    else if (info.isDirectory()) out.push(`${rel}/`, ...listTree(path, `${rel}/`));
    else out.push(`${rel} ${info.size}`);
  }
  return out;
}

describe('input fuzzing: hostile REST requests and NATS messages change nothing', () => {
  let cluster: TestCluster;
  let work: string;
  let root: string;
  let outside: string;
  let jarId: string;
  let jobId: string;
  let nc: NatsConnection;
  let db: Client;
  let before: unknown;

  const tables = ['jobs', 'task_managers', 'slots', 'checkpoints'];

  async function snapshot() {
    const jars = (await httpJson<{ files: unknown[] }>(`${cluster.url}/jars`)).body.files;
    const jobs = (await httpJson<{ jobs: { id: string; status: string }[] }>(`${cluster.url}/jobs`)).body.jobs.sort((a, b) => a.id.localeCompare(b.id));
    const counts: Record<string, number> = {};
    for (const t of tables) counts[t] = Number((await db.query(`SELECT count(*)::int AS n FROM ${t}`)).rows[0].n);
    return { jars, jobs, files: listTree(work), counts };
  }

  function servicesAlive(): string[] {
    const services = (cluster as unknown as { services: { name: string; pid: number }[] }).services;
    return services.filter((s) => !isProcessAlive(s.pid)).map((s) => s.name);
  }

  beforeAll(async () => {
    // The root and its parent: the parent holds a directory outside the root, and the root a
    // symlink pointing to it, so traversal and symlink escapes would show as new files.
    work = mkdtempSync(join(tmpdir(), 'runnel-e2e-fuzz-'));
    root = join(work, 'savepoints');
    outside = join(work, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret'), 'not for savepoints');
    symlinkSync(outside, join(root, 'escape'));
    cluster = await TestCluster.start({ taskManagers: 1, slots: 2, env: { SAVEPOINT_DIRS: root, CHECKPOINT_DIR: join(work, 'checkpoints') } });
    jarId = await cluster.uploadJob(join(FIXTURES, 'unbounded.job.mjs'));
    jobId = await cluster.run(jarId, [], 1);
    await waitFor(async () => (await cluster.job(jobId)).vertices.every((v) => v.status === 'RUNNING'), { description: 'the job to run', timeoutMs: 30_000 });
    nc = await connect({ servers: cluster.nats.url });
    db = new Client({ connectionString: cluster.db.url });
    await db.connect();
    before = await snapshot();
  }, 120_000);

  afterAll(async () => {
    await db?.end().catch(() => undefined);
    await nc?.close().catch(() => undefined);
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  // ---- REST ----------------------------------------------------------------------------------

  const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
  /** Path parameters that are not ids: traversal, encodings, odd characters, wrong lengths. */
  const badParam = fc.oneof(
    fc.constantFrom(
      '..', '%2e%2e', '%2e%2e%2f', '..%2f..%2fetc%2fpasswd', '%2E%2E%2F%2E%2E%2Fetc%2Fpasswd', '%00', '%zz', '%', 'a%2fb', '%c0%ae%c0%ae',
      '%252e%252e', ';', '%20', '%F0%9F%92%A9', 'null', 'undefined', '-1', '0', '%5Bobject%20Object%5D', 'F'.repeat(32), 'g'.repeat(32),
      'f'.repeat(31), 'f'.repeat(33), 'f'.repeat(63), 'a'.repeat(65), 'x'.repeat(3000), 'tm-0%2f..', '.tm', 'tm-0%00', '00000000-0000-0000-0000-00000000000G',
    ),
    fc.string({ maxLength: 40 }).map(pct),
    fc.string({ unit: 'binary', maxLength: 24 }).map(pct),
  );
  const fakeJob = fc.oneof(hex(32), badParam);
  const fakeJar = fc.oneof(hex(64), badParam);
  const fakeTrigger = fc.oneof(fc.uuid().map((u) => u.toLowerCase()), badParam);
  const fakeTm = fc.oneof(fc.constantFrom('tm-1', 'tm-9', 'x'), badParam);

  const hostileString = () =>
    fc.oneof(
      fc.constantFrom(
        '../../etc/passwd', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/etc/passwd', '/etc', '/', '', '\u0000', '/tmp/\u0000x', 'savepoint://../../x',
        'savepoint://', 'file:///etc/passwd', '..\\..\\windows', `${root}/../outside`, `${root}/escape/x`, `${root}x`, work, `${outside}/secret`,
        `${root}/%2e%2e/outside`, '~/x', 'C:\\Windows', '\u202e', '<script>', "' OR 1=1 --",
      ),
      fc.string({ maxLength: 30 }),
      fc.integer({ min: 0, max: 8 }).map((n) => 'A'.repeat(10 * 2 ** n)),
    );
  const hostileValue = fc.oneof(
    { weight: 3, arbitrary: hostileString() },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom(5e7, -1, 0, 1.5, 1e308, 32_769)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.array(hostileString(), { maxLength: 5 }) },
  );
  const fieldName = fc.oneof(
    fc.constantFrom(
      'target-directory', 'targetDirectory', 'cancel-job', 'cancelJob', 'drain', 'programArgs', 'programArgsList', 'parallelism', 'savepointPath',
      'allowNonRestoredState', 'target', 'entryClass', 'jarId', 'jobId', '__proto__', 'constructor', 'prototype', 'protocolVersion', '',
    ),
    fc.string({ maxLength: 12 }),
  );
  const deepText = fc.tuple(fc.integer({ min: 33, max: 4000 }), fc.boolean()).map(([d, arr]) =>
    arr ? `{"programArgsList":${'['.repeat(d)}${']'.repeat(d)}}` : `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`,
  );
  const genericBody: fc.Arbitrary<Pick<RawRequest, 'body' | 'contentType'>> = fc.oneof(
    { weight: 5, arbitrary: fc.dictionary(fieldName, hostileValue, { maxKeys: 4 }).map((o) => ({ body: JSON.stringify(o), contentType: 'application/json' })) },
    { weight: 2, arbitrary: deepText.map((body) => ({ body, contentType: 'application/json' })) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom('{', '{"a":', 'nul', '[1,]', '\uFEFF{}', '[]', '"x"', '1', 'null', '{"parallelism":1e999}', '{"__proto__":{"polluted":true}}', '{"a":1,"a":2}', '\u0000')
        .map((body) => ({ body, contentType: 'application/json' })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.uint8Array({ maxLength: 512 }), fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x')).map(([body, contentType]) => ({ body, contentType })),
    },
    { weight: 1, arbitrary: fc.constantFrom('a[b][c][d][e][f][g]=1', 'parallelism=5e7', 'programArgsList[]=x&programArgsList[][a]=1').map((body) => ({ body, contentType: 'application/x-www-form-urlencoded' })) },
    { weight: 1, arbitrary: fc.constant({}) },
  );
  const query = fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constantFrom('?mode=cancel', '?mode=', '?mode=stop', '?mode[]=cancel', '?mode=cancel&mode=cancel', '?mode[a]=b', `?x=${'A'.repeat(3000)}`, '?%zz=1', '?a[b][c][d][e][f]=1', '?__proto__[x]=1') },
    { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 40 })).map(([k, v]) => `?${pct(k)}=${pct(v)}`) },
  );
  const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS');

  /** Any route of the REST table with fake or bad ids, any method: nothing real is ever named. */
  const genericRequest: fc.Arbitrary<RawRequest> = fc
    .tuple(
      fc.oneof(
        fc.constantFrom('/', '/overview', '/taskmanagers', '/jars', '/jars/upload', '/jobs', '/jobs/overview', '/savepoints', '/savepoints/dry-run', '/health', '/info', '/metrics', '/dashboard'),
        fakeTm.map((id) => `/taskmanagers/${id}`),
        fakeJar.map((id) => `/jars/${id}`),
        fakeJar.map((id) => `/jars/${id}/plan`),
        fakeJar.map((id) => `/jars/${id}/run`),
        fakeJob.map((id) => `/jobs/${id}`),
        fc.tuple(fakeJob, fc.constantFrom('exceptions', 'plan', 'checkpoints', 'checkpoints/config', 'savepoints', 'stop')).map(([id, rest]) => `/jobs/${id}/${rest}`),
        fc.tuple(fakeJob, fakeTrigger).map(([id, t]) => `/jobs/${id}/savepoints/${t}`),
        fc.constantFrom('/jobs/../jars', '/jars/%2e%2e/jobs', '//jobs', '/jobs//', '/JOBS', '/jobs/%2e%2e%2f%2e%2e%2fetc%2fpasswd/plan', `/${'a/'.repeat(200)}`),
      ),
      query,
      method,
      genericBody,
    )
    .map(([path, q, m, body]) => ({ method: m, path: `${path}${q}`, ...(m === 'GET' || m === 'HEAD' ? {} : body) }));

  /** Values that always make a request invalid, never `null` (an optional field read as absent). */
  const badTargetDirectory = fc.oneof(
    fc.constantFrom('', 'relative/dir', '../../etc', '%2e%2e%2f', '/etc', '/', `${root}/../outside`, `${root}/escape`, `${root}/escape/sp`, `${root}x`, work, outside, `${root}/\u0000`, 'x'.repeat(5000), `/${'a'.repeat(4096)}`),
    fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }), fc.constant({})),
  );
  const badSavepointPath = fc.oneof(
    fc.constantFrom('../../etc/passwd', 'relative', '%2e%2e%2f', '/etc', '/etc/passwd', `${root}/../outside`, `${root}/escape`, `${root}x`, work, `${root}/missing`, 'savepoint://x/1', `savepoint://${'0'.repeat(32)}/1`, 'savepoint://../../1', '', '\u0000', 'x'.repeat(5000)),
    fc.oneof(fc.integer(), fc.boolean(), fc.constant([]), fc.constant({})),
  );
  const badParallelism = fc.oneof(fc.constantFrom(0, -1, 1.5, 5e7, 32_769, 1025, 1e308, '2', true, [], {}), fc.integer({ min: 1025, max: 2 ** 31 }));

  /** Requests that name the real job or jar, each with at least one field that must be refused. */
  const realRequest: fc.Arbitrary<RawRequest> = fc.oneof(
    fc
      .tuple(
        fc.constantFrom('savepoints', 'stop'),
        fc.record({ 'cancel-job': fc.boolean(), drain: fc.boolean() }, { requiredKeys: [] }),
        fc.oneof(
          badTargetDirectory.map((v) => ['target-directory', v] as const),
          badTargetDirectory.map((v) => ['targetDirectory', v] as const),
          fc.constantFrom(['cancel-job', 'yes'], ['drain', 1], ['unknown', true], ['targetdirectory', '/x'], ['__proto__', { a: 1 }]) as fc.Arbitrary<readonly [string, unknown]>,
        ),
      )
      .map(([route, base, [k, v]]) => ({ method: 'POST', path: `/jobs/${jobId}/${route}`, contentType: 'application/json', body: withField(base, k, v) })),
    fc
      .tuple(
        fc.constantFrom('run', 'plan'),
        fc.record({ programArgsList: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), allowNonRestoredState: fc.boolean() }, { requiredKeys: [] }),
        fc.oneof(
          badParallelism.map((v) => ['parallelism', v] as const),
          badSavepointPath.map((v) => ['savepointPath', v] as const),
          fc.constantFrom(['programArgsList', 'a b'], ['programArgsList', [1, 2]], ['target', 'cluster'], ['entryClass', 'x'.repeat(2000)], ['unknown', 1], ['programArgs', ['x']]) as fc.Arbitrary<readonly [string, unknown]>,
        ),
      )
      .map(([route, base, [k, v]]) => ({ method: 'POST', path: `/jars/${jarId}/${route}`, contentType: 'application/json', body: withField(base, k, v) })),
    fc
      .tuple(badSavepointPath, fc.option(badParallelism, { nil: undefined }))
      .map(([savepointPath, parallelism]) => ({
        method: 'POST',
        path: '/savepoints/dry-run',
        contentType: 'application/json',
        body: JSON.stringify({ jarId, savepointPath, ...(parallelism === undefined ? {} : { parallelism }) }),
      })),
    fc
      .oneof(fc.constantFrom('stop', 'Cancel', 'cancel ', 'CANCEL', '', 'cancel\u0000'), fc.string({ maxLength: 10 }).filter((m) => m !== 'cancel'))
      .map((mode) => ({ method: 'PATCH', path: `/jobs/${jobId}?mode=${pct(mode)}` })),
    // (Never empty: POST /jobs/<job>/savepoints/ is the savepoint route itself.)
    fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), fakeTrigger.filter((t) => t.length > 0)).map(([m, t]) => ({ method: m, path: `/jobs/${jobId}/savepoints/${t}` })),
    fc.constantFrom('PUT', 'POST').map((m) => ({ method: m, path: `/jars/${jarId}`, contentType: 'application/json', body: '{}' })),
    fc.constantFrom('DELETE', 'PUT', 'POST').map((m) => ({ method: m, path: `/jobs/${jobId}`, contentType: 'application/json', body: '{}' })),
  );

  /** Malformed uploads: nothing valid is ever stored. */
  const badUpload: fc.Arbitrary<RawRequest> = fc.oneof(
    fc.constant({ method: 'POST', path: '/jars/upload' }),
    fc.constant({ method: 'POST', path: '/jars/upload', contentType: 'multipart/form-data; boundary=x', body: '--x\r\nContent-Disposition: form-data; name="other"; filename="a.mjs"\r\n\r\nexport default 1\r\n--x--\r\n' }),
    fc.constant({ method: 'POST', path: '/jars/upload', contentType: 'multipart/form-data; boundary=x', body: '--x\r\nContent-Disposition: form-data; name="jarfile"; filename="../../etc/passwd"\r\n\r\nnot a module {{{\r\n--x--\r\n' }),
    fc.constant({ method: 'POST', path: '/jars/upload', contentType: 'multipart/form-data; boundary=x', body: '--x\r\nbroken' }),
    fc.constant({ method: 'POST', path: '/jars/upload', contentType: 'application/json', body: '{"jarfile":"x"}' }),
  );

  it('answers >= 1000 malformed or hostile REST requests with 4xx, never 5xx', async () => {
    const statuses = new Map<number, number>();
    const fivexx: string[] = [];
    /** Requests that were accepted although they change something: must be none. */
    const accepted: string[] = [];
    let sent = 0;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 14, arbitrary: genericRequest }, { weight: 5, arbitrary: realRequest }, { weight: 1, arbitrary: badUpload }),
        async (req) => {
          const { status, body } = await send(cluster.url, req);
          sent++;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          const changing = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method) && !req.path.includes('/plan') && !req.path.includes('dry-run');
          if (changing && status >= 200 && status < 300) accepted.push(`${req.method} ${req.path.slice(0, 200)} ${String(req.body ?? '').slice(0, 300)} → ${status}`);
          if (status >= 500) fivexx.push(`${req.method} ${req.path.slice(0, 200)} ${String(req.body ?? '').slice(0, 200)} → ${status} ${body.slice(0, 300)}`);
          return status < 500;
        },
      ),
      { numRuns: REST_RUNS, endOnFailure: true },
    );
    const counts = Object.fromEntries([...statuses.entries()].sort(([a], [b]) => a - b));
    console.log(`REST fuzz: ${sent} requests in ${Date.now() - started} ms, by status: ${JSON.stringify(counts)}`);
    expect(fivexx).toEqual([]);
    expect(accepted).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(1000);
    expect([...statuses.keys()].every((s) => s >= 200 && s < 500)).toBe(true);
  }, 180_000);

  // ---- NATS ----------------------------------------------------------------------------------

  const subjects = [
    ...Object.values(JobMasterSubjects),
    ...Object.values(ResourceManagerSubjects),
    ...Object.values(DispatcherSubjects),
    ...Object.values(TaskExecutorSubjects).map((s) => bindSubject(s, { resourceId: 'tm-0' })),
  ];

  const minimalGraph = (patch: (g: Record<string, unknown>) => Record<string, unknown> = (g) => g) =>
    patch({
      jobName: 'fuzz',
      config: { parallelism: 1, maxParallelism: 128 },
      vertices: [{ id: 'v', name: 'v', parallelism: 1, maxParallelism: 128, slotSharingGroup: 'default', isSource: true, operators: [{ uid: 'v', name: 'v', kind: 'source', inputs: 0, keyed: false, config: {} }] }],
      edges: [],
    });

  const natsPayload: fc.Arbitrary<{ subject: string; data: Uint8Array; what: string }> = fc.oneof(
    // Raw bytes, text that is not JSON, JSON that is not an object.
    fc.tuple(fc.constantFrom(...subjects), fc.uint8Array({ maxLength: 1024 })).map(([subject, data]) => ({ subject, data, what: 'bytes' })),
    fc
      .tuple(fc.constantFrom(...subjects), fc.constantFrom('', '{', 'null', '[]', '"x"', '42', 'true', '\uFEFF{}', '{"protocolVersion":', `[${'['.repeat(5000)}${']'.repeat(5000)}]`))
      .map(([subject, text]) => ({ subject, data: new TextEncoder().encode(text), what: 'text' })),
    // Objects: always one unknown field or a wrong protocol version, so none is valid.
    fc
      .tuple(
        fc.constantFrom(...subjects),
        fc.dictionary(fc.constantFrom('jobId', 'jarId', 'resourceId', 'savepointPath', 'targetDirectory', 'handle', 'jobGraph', 'parallelism', 'executionAttemptId', 'checkpointId', 'slots', 'count', 'name'), hostileValue, { maxKeys: 4 }),
        fc.oneof(fc.constant({ __fuzz: true }), fc.constant({ protocolVersion: 999 }), fc.constant({ protocolVersion: PROTOCOL_VERSION, ['x'.repeat(300)]: 1 })),
        fc.boolean(),
      )
      .map(([subject, fields, poison, versioned]) => ({
        subject,
        data: new TextEncoder().encode(JSON.stringify({ ...(versioned ? { protocolVersion: PROTOCOL_VERSION } : {}), ...fields, ...poison })),
        what: 'object',
      })),
    // Deep nesting with a valid envelope.
    fc.tuple(fc.constantFrom(...subjects), fc.integer({ min: 70, max: 3000 })).map(([subject, d]) => ({
      subject,
      data: new TextEncoder().encode(`{"protocolVersion":${PROTOCOL_VERSION},"jobGraph":${'{"a":'.repeat(d)}1${'}'.repeat(d)}}`),
      what: 'deep',
    })),
    // Well-formed messages with one hostile part: paths, handles, parallelism, graphs.
    fc.constantFrom(
      () => ({ subject: JobMasterSubjects.triggerSavepoint, body: { jobId, targetDirectory: `${root}/escape/x` } }),
      () => ({ subject: JobMasterSubjects.triggerSavepoint, body: { jobId, targetDirectory: '/etc' } }),
      () => ({ subject: JobMasterSubjects.triggerSavepoint, body: { jobId, targetDirectory: `${root}/../outside` } }),
      () => ({ subject: JobMasterSubjects.triggerSavepoint, body: { jobId, targetDirectory: 'relative' } }),
      () => ({ subject: JobMasterSubjects.checkSavepoint, body: { savepointPath: '../../etc/passwd', jobGraph: minimalGraph() } }),
      () => ({ subject: JobMasterSubjects.checkSavepoint, body: { savepointPath: outside, jobGraph: minimalGraph() } }),
      () => ({ subject: JobMasterSubjects.checkSavepoint, body: { savepointPath: `${root}/escape`, jobGraph: minimalGraph() } }),
      () => ({ subject: JobMasterSubjects.acknowledgeCheckpoint, body: { jobId, executionAttemptId: 'a'.repeat(32), checkpointId: 1, handle: '../../etc/passwd', size: 1, checksum: 'f'.repeat(64) } }),
      () => ({ subject: JobMasterSubjects.acknowledgeCheckpoint, body: { jobId, executionAttemptId: 'a'.repeat(32), checkpointId: 1, handle: '/etc/passwd', size: 1, checksum: 'f'.repeat(64) } }),
      ...[
        (g: Record<string, unknown>) => ({ ...g, vertices: [{ ...(g['vertices'] as object[])[0], parallelism: 5e7 }] }),
        (g: Record<string, unknown>) => ({ ...g, vertices: [{ ...(g['vertices'] as object[])[0], maxParallelism: 40_000, parallelism: 2 }] }),
        (g: Record<string, unknown>) => ({ ...g, vertices: [{ ...(g['vertices'] as object[])[0], parallelism: 1025, maxParallelism: 4096 }] }),
        (g: Record<string, unknown>) => ({ ...g, edges: [{ id: 'e0', source: 'v', target: 'nowhere', targetInput: 0, partitioner: 'forward' }] }),
        (g: Record<string, unknown>) => ({ ...g, vertices: [{ ...(g['vertices'] as object[])[0], name: 'n'.repeat(5000) }] }),
        (g: Record<string, unknown>) => ({ ...g, vertices: 'v' }),
        (g: Record<string, unknown>) => ({ ...g, vertices: [] }),
      ].map((patch) => () => ({
        subject: JobMasterSubjects.submitJob,
        body: { jobId: 'c'.repeat(32), jobName: 'fuzz', artifactHash: jarId, programArgs: [], jobGraph: minimalGraph(patch), jobGraphHash: 'e'.repeat(64) },
      })),
      () => ({ subject: JobMasterSubjects.submitJob, body: { jobId: 'c'.repeat(32), jobName: 'fuzz', artifactHash: jarId, programArgs: [], parallelism: 5e7, jobGraph: minimalGraph(), jobGraphHash: 'e'.repeat(64) } }),
      () => ({ subject: DispatcherSubjects.runJar, body: { jarId, parallelism: 5e7 } }),
      () => ({ subject: DispatcherSubjects.runJar, body: { jarId, parallelism: 1025 } }),
      () => ({ subject: DispatcherSubjects.runJar, body: { jarId, savepointPath: '../../etc' } }),
      () => ({ subject: DispatcherSubjects.runJar, body: { jarId, savepointPath: `${root}/escape` } }),
      () => ({ subject: DispatcherSubjects.planJar, body: { jarId, parallelism: 40_000 } }),
      () => ({ subject: DispatcherSubjects.getTaskManager, body: { resourceId: '../tm-0' } }),
      () => ({ subject: ResourceManagerSubjects.requestSlots, body: { jobId, count: 5e7 } }),
    ).map((make) => {
      const { subject, body } = make();
      return { subject, data: new TextEncoder().encode(JSON.stringify({ protocolVersion: PROTOCOL_VERSION, ...body })), what: `hostile ${subject}` };
    }),
  );

  it('answers >= 300 malformed NATS messages with a refusal, never an internal error or silence', async () => {
    const codes = new Map<string, number>();
    const wrong: string[] = [];
    let sent = 0;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(natsPayload, async ({ subject, data, what }) => {
        sent++;
        let code: string;
        try {
          const reply = JSON.parse(new TextDecoder().decode((await nc.request(subject, data, { timeout: 5_000 })).data)) as { ok: boolean; error?: { code: string; message: string } };
          code = reply.ok ? 'OK' : (reply.error?.code ?? '?');
          if (reply.ok || code === 'INTERNAL' || code === '?') wrong.push(`${subject} (${what}): ${JSON.stringify(reply).slice(0, 300)}`);
        } catch (error) {
          code = `no reply: ${(error as Error).message}`;
          wrong.push(`${subject} (${what}): ${code}`);
        }
        codes.set(code, (codes.get(code) ?? 0) + 1);
        return true;
      }),
      { numRuns: NATS_RUNS },
    );
    console.log(`NATS fuzz: ${sent} messages in ${Date.now() - started} ms, by reply code: ${JSON.stringify(Object.fromEntries(codes))}`);
    expect(wrong).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(300);
  }, 120_000);

  it('left every service running and nothing changed: jars, jobs, files under the root and its parent, table rows', async () => {
    expect(servicesAlive()).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('not for savepoints');
  });

  // ---- What the refusals protect: savepoints inside the root work, tampered ones are refused --

  async function savepointInto(target: string): Promise<{ status: number; body: { 'request-id'?: string; code?: string; errors?: string[] } }> {
    return httpJson(`${cluster.url}/jobs/${jobId}/savepoints`, { body: { 'target-directory': target } });
  }

  it('refuses target directories outside SAVEPOINT_DIRS naming the root, and writes inside it', async () => {
    for (const target of ['/etc', `${root}/escape/sp`, `${root}/../outside`, `${root}x`, 'relative/sp']) {
      const refused = await savepointInto(target);
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
      expect(refused.body.errors?.[0]).toContain(root);
    }
    const trigger = await savepointInto(join(root, 'sp'));
    expect(trigger.status).toBe(202);
    const done = await waitFor(
      async () => {
        const s = (await httpJson<{ status: { id: string }; operation?: { location?: string } }>(`${cluster.url}/jobs/${jobId}/savepoints/${trigger.body['request-id']}`)).body;
        return s.status.id === 'COMPLETED' && s;
      },
      { description: 'the savepoint', timeoutMs: 30_000 },
    );
    expect(done.operation?.location?.startsWith(join(root, 'sp', 'savepoint-'))).toBe(true);
    const location = done.operation!.location!;
    expect(readdirSync(location)).toContain('_metadata.json');

    // A tampered copy of it: state files pointing out of the directory, subtasks out of range.
    const tampered = (name: string, edit: (m: { record: { handles: { subtaskIndex: number; handle: string }[] }; files: Record<string, string> }) => void) => {
      const dir = join(root, name);
      cpSync(location, dir, { recursive: true });
      const metadata = JSON.parse(readFileSync(join(dir, '_metadata.json'), 'utf8'));
      edit(metadata);
      writeFileSync(join(dir, '_metadata.json'), JSON.stringify(metadata));
      return dir;
    };
    const cases: [string, string, RegExp][] = [
      ['t-escape', 'files', /inside the savepoint directory|relative path|segments/],
      ['t-absolute', 'absolute', /relative path/],
      ['t-subtask', 'subtask', /below the vertex's parallelism/],
    ];
    for (const [name, kind, reason] of cases) {
      const dir = tampered(name, (m) => {
        const h = m.record.handles[0];
        if (kind === 'files') m.files[h.handle] = '../../outside/secret';
        if (kind === 'absolute') m.files[h.handle] = `${outside}/secret`;
        if (kind === 'subtask') h.subtaskIndex = 7;
      });
      const refused = await httpJson<{ code: string; errors: string[] }>(`${cluster.url}/jars/${jarId}/run`, { body: { savepointPath: dir }, timeoutMs: 60_000 });
      expect({ status: refused.status, code: refused.body.code, error: refused.body.errors?.[0] }).toEqual({ status: 400, code: 'VALIDATION_FAILED', error: expect.stringMatching(reason) });
    }
    const symlinked = join(root, 't-link');
    cpSync(location, symlinked, { recursive: true });
    const metadata = JSON.parse(readFileSync(join(symlinked, '_metadata.json'), 'utf8')) as { files: Record<string, string> };
    const first = Object.values(metadata.files)[0];
    rmSync(join(symlinked, first));
    symlinkSync(join(outside, 'secret'), join(symlinked, first));
    const viaLink = await httpJson<{ code: string; errors: string[] }>(`${cluster.url}/savepoints/dry-run`, { body: { jarId, savepointPath: symlinked }, timeoutMs: 60_000 });
    expect(viaLink.status).toBe(400);
    expect(viaLink.body.errors[0]).toMatch(/inside the savepoint directory/);
    const jobs = (await httpJson<{ jobs: unknown[] }>(`${cluster.url}/jobs`)).body.jobs;
    expect(jobs).toHaveLength(1);
  }, 120_000);

  it('refuses a parallelism above MAX_JOB_PARALLELISM at the dispatcher, naming the field', async () => {
    const refused = await httpJson<{ code: string; errors: string[] }>(`${cluster.url}/jars/${jarId}/run`, { body: { parallelism: 1025 } });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('VALIDATION_FAILED');
    expect(refused.body.errors[0]).toMatch(/parallelism.*MAX_JOB_PARALLELISM/);
  });
});
