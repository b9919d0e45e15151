/**
 * A slot's worker thread loads the job with loadJobModule, which runs esbuild, whose service is a
 * child process: a thread that ends before that child has exited and been reaped leaves a zombie
 * `[esbuild] <defunct>` under the TaskManager until it exits (one per slot worker per deployment
 * was seen). This starts real slot workers (the SlotWorker host, a worker thread, the real entry
 * bundled from the sources, as jest cannot load .ts in a thread), has each load a real job (its
 * graph hash is wrong on purpose: the deployment then fails right after loading, with no NATS) and
 * closes it; then it waits until this process has no live child and expects no zombie among them.
 */
import * as esbuild from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { JobIds, type AllocationId } from '@runnel/protocol';
import { SlotWorker } from './slot-worker.host';
import { DEFAULT_SLOT_LIMITS } from './slot-transport.types';
import type { Deployment, TaskStateEvent } from './task-runner';

const ROOT = resolve(__dirname, '../../../..');
const JOB = JobIds.parse('c'.repeat(32));
/** A label, not a real allocation id: a fixture cast. */
const ALLOC = 'alloc' as AllocationId;

/** This process's child processes (of any of its threads) and their states ('Z': a zombie). */
function children(): { pid: number; state: string; name: string }[] {
  const found: { pid: number; state: string; name: string }[] = [];
  for (const task of readdirSync('/proc/self/task')) {
    let list: string;
    try {
      list = readFileSync(`/proc/self/task/${task}/children`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    for (const pid of list.trim().split(/\s+/).filter(Boolean).map(Number)) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        found.push({ pid, name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), state: stat.slice(stat.lastIndexOf(')') + 2)[0] });
      } catch {
        // reaped meanwhile
      }
    }
  }
  return found;
}

async function until(condition: () => boolean, ms = 20_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe('slot workers that load a job', () => {
  let dir: string;
  let entry: string;

  beforeAll(async () => {
    // Inside the workspace, so that its external packages resolve from node_modules.
    mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
    dir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'runnel-slot-worker-'));
    entry = join(dir, 'slot-worker.main.js');
    await esbuild.build({
      entryPoints: [join(__dirname, 'slot-worker.main.ts')],
      outfile: entry,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      logLevel: 'silent',
      // The workspace's libraries from their sources (tsconfig paths); npm packages as they are.
      plugins: [{ name: 'external-packages', setup: (b) => b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith('@runnel/') ? undefined : { external: true })) }],
    });
    await esbuild.stop(); // this thread's own esbuild: reaped by this (living) thread
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leave no zombie child process behind (three deployments, then a job that does not bundle)', async () => {
    const jobs = [...Array(3).fill(join(ROOT, 'examples', 'word-count.ts')), join(ROOT, 'examples', 'no-such-job.ts')] as string[];
    for (const [i, artifact] of jobs.entries()) {
      const states: TaskStateEvent[] = [];
      const worker = new SlotWorker(0, ALLOC, JOB, (e) => states.push(e), () => undefined, { entry, limits: { ...DEFAULT_SLOT_LIMITS, isolation: 'thread' } });
      try {
        const deployment = {
          jobId: JOB, executionAttemptId: `e${i}`, vertexId: 'v', subtaskIndex: 0, attempt: 0, dataStream: 's', programArgs: [], jobGraphHash: 'not-the-hash',
        } as unknown as Deployment;
        worker.deploy(deployment, artifact, { in: [], out: [] });
        expect(await until(() => states.some((s) => s.state === 'FAILED'))).toBe(true);
      } finally {
        await worker.close();
      }
      const failure = states.find((s) => s.state === 'FAILED')!.failure!;
      expect(failure.message).toMatch(artifact.endsWith('word-count.ts') ? /hash/i : /could not resolve/i);
    }
    await until(() => children().every((c) => c.state === 'Z'));
    expect(children().filter((c) => c.state === 'Z')).toEqual([]);
  }, 60_000);
});
