/**
 * What a slot's worker is started with (a real worker thread and a real child process, started by
 * the SlotWorker host): a stand-in entry reports its workerData, environment, argv and execArgv,
 * and none of them may hold the TaskManager's NATS settings, credentials or other secrets, which
 * this test puts into the TaskManager's (this process's) environment first.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlotWorker } from './slot-worker.host';
import { DEFAULT_SLOT_LIMITS, SlotIsolation } from './slot-transport.types';
import type { Deployment, TaskStateEvent } from './task-runner';
import { isSecretEnvName, slotWorkerEnv } from './slot-worker.env';
import { JobIds, type AllocationId } from '@runnel/protocol';

const JOB = JobIds.parse('b'.repeat(32));
/** A label, not a real allocation id: a fixture cast. */
const ALLOC = 'alloc' as AllocationId;
const SECRETS: Record<string, string> = {
  NATS_URL: 'nats://secret-host-7f3a:4222',
  NATS_USER: 'taskmanagers',
  NATS_PASSWORD: 'pw-5b1e0c9d2f',
  NATS_TOKEN: 'tok-91ac44',
  NATS_NKEY_SEED_FILE: '/secret/seed-3d9e.nk',
  NATS_CREDS: '/secret/user-8c2b.creds',
  NATS_TLS_KEY: '/secret/tls-key-6a7f.pem',
  TM_NATS_PASSWORD: 'tm-pw-0d4c',
  DATABASE_URL: 'postgres://postgres:db-pw-44e1@localhost/runnel',
  REST_AUTH_TOKEN: 'rest-tok-2b8a',
  REST_AUTH_TOKEN_FILE: '/secret/rest-token-9e1d',
  MY_SERVICE_API_KEY: 'api-key-1f0e',
};

/** Reports what it was started with as the message of a FAILED state (the host relays states). */
const REPORTER = `
const threads = require('node:worker_threads');
const inThread = !threads.isMainThread && threads.parentPort;
const data = inThread ? threads.workerData : JSON.parse(process.env.RUNNEL_SLOT_WORKER_DATA);
const { ticks, ...rest } = data;
const post = (m) => (inThread ? threads.parentPort.postMessage(m) : process.send(m));
const on = (h) => (inThread ? threads.parentPort.on('message', h) : process.on('message', h));
if (ticks) setInterval(() => Atomics.add(ticks, 0, 1), 20).unref();
else setInterval(() => post({ type: 'tick' }), 20).unref();
on((m) => {
  if (m.type === 'deploy') {
    const seen = JSON.stringify({ workerData: rest, env: process.env, argv: process.argv, execArgv: process.execArgv });
    post({ type: 'state', event: { jobId: m.deployment.jobId, executionAttemptId: m.deployment.executionAttemptId, state: 'FAILED', failure: { message: seen } } });
  }
  if (m.type === 'close' || m.type === 'cancel') post({ type: 'done', requestId: m.requestId });
});
`;

describe('a slot worker is started without secrets', () => {
  let dir: string;
  const saved: Record<string, string | undefined> = {};

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'runnel-slot-isolation-'));
    writeFileSync(join(dir, 'reporter.js'), REPORTER);
    for (const [k, v] of Object.entries(SECRETS)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['thread', 'process'] as SlotIsolation[])('as a %s: no NATS setting, credential or secret in its workerData, env, argv or execArgv', async (isolation) => {
    const states: TaskStateEvent[] = [];
    const worker = new SlotWorker(0, ALLOC, JOB, (e) => states.push(e), () => undefined, {
      entry: join(dir, 'reporter.js'),
      clusterId: 'team-a',
      limits: { ...DEFAULT_SLOT_LIMITS, isolation, memoryMb: 128 },
    });
    try {
      worker.deploy({ jobId: JOB, executionAttemptId: 'e1', vertexId: 'v', subtaskIndex: 0, attempt: 0, dataStream: 's' } as unknown as Deployment, '/nowhere.mjs', { in: [], out: [] });
      const deadline = Date.now() + 20_000;
      while (!states.some((s) => s.state === 'FAILED')) {
        if (Date.now() > deadline) throw new Error('the worker did not report');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await worker.close();
    }
    const seen = JSON.parse(states.find((s) => s.state === 'FAILED')!.failure!.message) as { workerData: Record<string, unknown>; env: Record<string, string>; argv: string[]; execArgv: string[] };
    // It still is the TaskManager's environment otherwise (PATH, HOME…), and it knows its slot and cluster.
    expect(seen.env['PATH']).toBe(process.env['PATH']);
    expect(seen.workerData).toMatchObject({ slotIndex: 0, clusterId: 'team-a' });
    // A process also learns that fd 4 is its stack pipe (slot-process-stack.thread.ts).
    expect(Object.keys(seen.workerData).sort()).toEqual(['clusterId', 'slotIndex', ...(isolation === 'process' ? ['stackPipe'] : []), 'tickIntervalMs']);
    for (const name of Object.keys(SECRETS)) expect({ name, present: name in seen.env }).toEqual({ name, present: false });
    const text = JSON.stringify(seen);
    for (const [name, value] of Object.entries(SECRETS)) expect({ name, leaked: text.includes(value) }).toEqual({ name, leaked: false });
  }, 30_000);

  it('drops secret-looking names and keeps the rest', () => {
    expect(slotWorkerEnv({ PATH: '/bin', HOME: '/h', NODE_OPTIONS: '--x', LOG_LEVEL: 'info', NATS_URL: 'u', PGPASSWORD: 'p', AWS_SECRET_ACCESS_KEY: 'k', GITHUB_TOKEN: 't', HTTP_TLS_KEY: 'f', TM_SLOTS: '2' }))
      .toEqual({ PATH: '/bin', HOME: '/h', NODE_OPTIONS: '--x', LOG_LEVEL: 'info', TM_SLOTS: '2' });
    expect(['REST_READ_TOKENS', 'RUNNEL_TOKEN', 'DB_PASSWORD', 'X_CREDENTIALS'].every(isSecretEnvName)).toBe(true);
  });
});
