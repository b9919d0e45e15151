/**
 * The slot worker host's deadlines and watchdog, against small stand-in worker entries (plain JS
 * speaking the slot-worker messages) so that no NATS is needed: a deployment that never reaches
 * RUNNING, a cancellation that never completes, a worker that spins, one that exits.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { SlotWorker } from './slot-worker.host';
import { DEFAULT_SLOT_LIMITS, SlotLimits } from './slot-transport.types';
import type { Deployment, TaskStateEvent } from './task-runner';
import { JobIds, type AllocationId, type ExecutionAttemptId } from '@runnel/protocol';

const JOB = JobIds.parse('a'.repeat(32));
/** A label, not a real allocation id: a fixture cast. */
const ALLOC = 'alloc' as AllocationId;

/** A stand-in worker: ticks like the real one; `onDeploy` is the body of its deploy handler. */
const entry = (onDeploy: string, onCancel = "post({ type: 'done', requestId: m.requestId });") => `
const { parentPort, workerData } = require('node:worker_threads');
const post = (m) => parentPort.postMessage(m);
setInterval(() => Atomics.add(workerData.ticks, 0, 1), workerData.tickIntervalMs).unref();
Atomics.add(workerData.ticks, 0, 1);
parentPort.on('message', (m) => {
  const d = m.deployment;
  if (m.type === 'deploy') { ${onDeploy} }
  if (m.type === 'cancel' || m.type === 'close') { ${onCancel} }
});
`;
const RUNNING = "post({ type: 'task', executionAttemptId: d.executionAttemptId, taskName: 'Spin (1/1)' }); post({ type: 'state', event: { jobId: d.jobId, executionAttemptId: d.executionAttemptId, state: 'RUNNING' } });";

function deployment(attempt: string): Deployment {
  return { jobId: JOB, executionAttemptId: attempt, vertexId: 'v1', subtaskIndex: 0, slotIndex: 0, allocationId: 'alloc' } as unknown as Deployment;
}

describe('SlotWorker (host) limits', () => {
  let dir: string;
  const workers: SlotWorker[] = [];

  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'runnel-slot-host-'))));
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function start(name: string, source: string, limits: Partial<SlotLimits>): { worker: SlotWorker; states: TaskStateEvent[] } {
    const file = join(dir, `${name}.js`);
    writeFileSync(file, source);
    const states: TaskStateEvent[] = [];
    const worker = new SlotWorker(0, ALLOC, JOB, (e) => states.push(e), () => undefined, {
      entry: file,
      limits: { ...DEFAULT_SLOT_LIMITS, ...limits },
    });
    workers.push(worker);
    return { worker, states };
  }

  async function until(condition: () => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  const noPorts = () => ({ in: [], out: [] });

  it('fails a deployment that does not reach RUNNING within DEPLOY_TIMEOUT_MS and ends the worker', async () => {
    const { worker, states } = start('hang-deploy', entry('/* never answers: a default export that awaits forever */'), { deployTimeoutMs: 300 });
    worker.deploy(deployment('t1'), '/nowhere.mjs', noPorts());
    await until(() => states.some((s) => s.state === 'FAILED'));
    expect(states[0].failure).toMatchObject({ name: 'DeployTimeoutError' });
    expect(states[0].failure!.message).toMatch(/^Deploying v1 \(subtask 1\) into slot 0 did not complete within DEPLOY_TIMEOUT_MS=300/);
    expect(worker.failed).toBe(true);
  });

  it('terminates a worker that does not finish a cancellation within CANCEL_TIMEOUT_MS', async () => {
    const { worker, states } = start('hang-cancel', entry(RUNNING, '/* never stops */'), { cancelTimeoutMs: 300 });
    worker.deploy(deployment('t1'), '/nowhere.mjs', noPorts());
    await until(() => states.some((s) => s.state === 'RUNNING'));
    const started = Date.now();
    await worker.cancel('t1' as ExecutionAttemptId);
    expect(Date.now() - started).toBeLessThan(3000);
    const failed = states.find((s) => s.state === 'FAILED')!;
    expect(failed.failure!.message).toMatch(/^Cancelling did not complete within CANCEL_TIMEOUT_MS=300: user code in slot 0 does not stop/);
    expect(failed.failure!.message).toContain('Spin (1/1)');
    expect(worker.failed).toBe(true);
  });

  it('close() ends a worker that ignores it after CANCEL_TIMEOUT_MS', async () => {
    const { worker } = start('ignore-close', entry(RUNNING, '/* never stops */'), { cancelTimeoutMs: 200 });
    const started = Date.now();
    await worker.close();
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('the watchdog fails the slot of a worker that spins, with its stack', async () => {
    const spin = entry(`${RUNNING} setTimeout(function spinHere() { for (;;); }, 20);`);
    const { worker, states } = start('spin', spin, { stallTimeoutMs: 500 });
    worker.deploy(deployment('t1'), '/nowhere.mjs', noPorts());
    await until(() => states.some((s) => s.state === 'FAILED'));
    const failure = states.find((s) => s.state === 'FAILED')!.failure!;
    expect(failure.name).toBe('TaskStalledError');
    expect(failure.message).toMatch(/the worker thread of slot 0 has not returned to its event loop for \d+\.\d s \(TASK_STALL_TIMEOUT_MS=500\) — user code in Spin \(1\/1\)/);
    expect(failure.stack).toMatch(/\n\s+at spinHere \(.*spin\.js:\d+:\d+\)/);
    expect(worker.failed).toBe(true);
    // The next deployment into a failed worker fails at once, saying why (the TaskManager makes a new worker first).
    worker.deploy(deployment('t2'), '/nowhere.mjs', noPorts());
    expect(states.at(-1)).toMatchObject({ executionAttemptId: 't2', state: 'FAILED' });
  });

  it('a deployment whose module top level spins is reported as stalled while building the graph', async () => {
    const { worker, states } = start('spin-build', entry('for (;;);'), { stallTimeoutMs: 400, deployTimeoutMs: 60_000 });
    worker.deploy(deployment('t1'), '/nowhere.mjs', noPorts());
    await until(() => states.some((s) => s.state === 'FAILED'));
    expect(states[0].failure!.message).toMatch(/user code while loading the job module or building its graph \(deploying v1 \(subtask 1\)\) does not return/);
  });

  it('a worker that stays busy but returns to its loop is not stalled', async () => {
    const busy = entry(`${RUNNING} const work = () => { const end = Date.now() + 100; while (Date.now() < end); setImmediate(work); }; work();`);
    const { worker, states } = start('busy', busy, { stallTimeoutMs: 400 });
    worker.deploy(deployment('t1'), '/nowhere.mjs', noPorts());
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(states.filter((s) => s.state === 'FAILED')).toEqual([]);
    expect(worker.failed).toBe(false);
  });

  it('reports process.exit(code) from user code as such', async () => {
    const exits = entry(`${RUNNING} setTimeout(() => { post({ type: 'exit-called', code: 7, stack: 'Error\\n    at userQuit (job.mjs:1:1)' }); process.exit(7); }, 20);`);
    const { worker, states } = start('exits', exits, {});
    const { port1, port2 } = new MessageChannel();
    worker.deploy(deployment('t1'), '/nowhere.mjs', { in: [{ edgeIndex: 0, source: 0, port: port1 }], out: [] });
    await until(() => states.some((s) => s.state === 'FAILED'));
    const failure = states.find((s) => s.state === 'FAILED')!.failure!;
    expect(failure.name).toBe('UserCodeExitError');
    expect(failure.stack).toMatch(/^UserCodeExitError: User code called process\.exit\(7\) in slot 0: .*\n\s+at userQuit \(job\.mjs:1:1\)$/);
    port2.close();
  });
});
