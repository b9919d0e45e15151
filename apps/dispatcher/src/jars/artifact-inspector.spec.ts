/**
 * The artifact inspector's worker thread runs esbuild, whose service is a child process: a thread
 * that ends before that child has exited and been reaped leaves a zombie `[esbuild] <defunct>`
 * under the dispatcher until it exits (two per job submission were seen). This runs the real
 * inspector (its worker entry bundled from the sources, as jest cannot load .ts in a thread) on a
 * real job and then waits until this process has no live child, and expects no zombie among them.
 */
import * as esbuild from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { workerArtifactInspector } from './artifact-inspector';

const ROOT = resolve(__dirname, '../../../..');

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

/** Waits (with a deadline) until every child has exited, then returns the zombies among them. */
async function zombiesOnceChildrenEnded(deadlineMs = 10_000): Promise<{ pid: number; state: string; name: string }[]> {
  const deadline = Date.now() + deadlineMs;
  while (children().some((c) => c.state !== 'Z') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return children().filter((c) => c.state === 'Z');
}

describe('workerArtifactInspector', () => {
  let dir: string;
  let entry: string;

  beforeAll(async () => {
    // Inside the workspace, so that its external packages resolve from node_modules.
    mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
    dir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'runnel-inspector-'));
    entry = join(dir, 'artifact-inspector.worker.js');
    await esbuild.build({
      entryPoints: [join(__dirname, 'artifact-inspector.worker.ts')],
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

  it('builds a real job graph three times and leaves no zombie child process', async () => {
    const inspect = workerArtifactInspector(60_000, entry);
    for (let i = 0; i < 3; i++) {
      const inspected = await inspect({ path: join(ROOT, 'examples', 'word-count.ts'), programArgs: [] });
      expect(inspected.jobGraph.vertices.length).toBeGreaterThan(0);
    }
    // A failure path too: an artifact that does not bundle.
    await expect(inspect({ path: join(ROOT, 'examples', 'no-such-job.ts'), programArgs: [] })).rejects.toThrow(/could not bundle/);
    expect(await zombiesOnceChildrenEnded()).toEqual([]);
  }, 60_000);

  it('terminates a job that spins past the deadline and leaves no zombie child process', async () => {
    const spinning = join(dir, 'spinning.job.ts');
    writeFileSync(spinning, 'export default () => { for (;;) {} };\n');
    await expect(workerArtifactInspector(2000, entry)({ path: spinning, programArgs: [] })).rejects.toThrow(/took longer than 2000 ms/);
    expect(await zombiesOnceChildrenEnded()).toEqual([]);
  }, 60_000);
});
