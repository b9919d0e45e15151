// The local cluster command (`npm start`, tools/dist/cluster/main.js) against the real services:
// it comes up with the requested TaskManagers, stops on SIGTERM with exit code 0, and leaves no
// process behind — also when it started NATS and Postgres itself, and when it is SIGKILLed — and
// `--run` runs a job on it and prints the job's result.

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startManagedProcess, type ManagedProcess } from '@runnel/tools';
import {
  createTestDatabase,
  descendantPids,
  findFreePort,
  httpJson,
  isProcessAlive,
  startTestNats,
  waitFor,
  type TestDatabase,
  type TestNats,
} from './support';

const repoRoot = resolve(__dirname, '..', '..');
const clusterMain = join(repoRoot, 'tools', 'dist', 'cluster', 'main.js');

interface Overview {
  taskmanagers: number;
}

describe('local cluster command', () => {
  let dataDir: string;
  let cluster: ManagedProcess | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'runnel-e2e-cluster-'));
    // A private Postgres runs as user postgres, which must be able to enter the directory.
    chmodSync(dataDir, 0o755);
  });

  afterEach(async () => {
    await cluster?.kill();
    cluster = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function startCluster(
    env: Record<string, string | undefined>,
    extraArgs: readonly string[] = [],
  ): Promise<{ proc: ManagedProcess; port: number; pids: number[] }> {
    const port = await findFreePort();
    const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info' };
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) delete childEnv[key];
      else childEnv[key] = value;
    }
    const proc = startManagedProcess({
      name: 'cluster',
      command: process.execPath,
      args: [clusterMain, '--taskmanagers', '2', '--slots', '2', '--port', String(port), '--data-dir', dataDir, ...extraArgs],
      env: childEnv,
      cwd: repoRoot,
      output: process.env['RUNNEL_E2E_LOGS'] ? { type: 'prefix', stream: process.stderr } : { type: 'buffer' },
    });
    cluster = proc;
    try {
      await waitFor(
        async () => (await httpJson<Overview>(`http://127.0.0.1:${port}/overview`)).body?.taskmanagers === 2,
        {
          description: 'the cluster\'s /overview to report 2 taskmanagers',
          timeoutMs: 90_000,
          intervalMs: 250,
          abortIf: () => (proc.exitInfo() ? new Error(`cluster exited early:\n${proc.logs().join('\n')}`) : undefined),
        },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- cluster output ---\n${proc.logs().slice(-60).join('\n')}`);
    }
    return { proc, port, pids: descendantPids(proc.pid) };
  }

  function alive(pids: readonly number[]): number[] {
    return pids.filter(isProcessAlive);
  }

  it('uses the NATS and database it is given, and stops everything on SIGTERM', async () => {
    let nats: TestNats | undefined;
    let db: TestDatabase | undefined;
    try {
      nats = await startTestNats();
      db = await createTestDatabase('runnel_e2e_cluster');
      const { proc, pids } = await startCluster({ NATS_URL: nats.url, DATABASE_URL: db.url });
      // 3 control services + 2 TaskManagers, no infra of its own.
      expect(pids.length).toBeGreaterThanOrEqual(5);
      expect(proc.logs().join('\n')).not.toMatch(/started nats-server|started Postgres/);

      process.kill(proc.pid, 'SIGTERM');
      const exit = await proc.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(alive(pids)).toEqual([]);
    } finally {
      await db?.drop();
      await nats?.stop();
    }
  });

  it('runs a job given with --run, prints its rows and keeps running', async () => {
    let nats: TestNats | undefined;
    let db: TestDatabase | undefined;
    try {
      nats = await startTestNats();
      db = await createTestDatabase('runnel_e2e_cluster_run');
      const text = 'The quick brown fox jumps over the lazy dog.\nThe dog sleeps; the FOX runs, and runs again!\n';
      writeFileSync(join(dataDir, 'words.txt'), text);
      // Expected counts, computed here: lower-cased runs of ASCII letters and digits.
      const expected = new Map<string, number>();
      for (const word of text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean)) expected.set(word, (expected.get(word) ?? 0) + 1);

      const output = join(dataDir, 'out') + '/';
      const { proc, port } = await startCluster({ NATS_URL: nats.url, DATABASE_URL: db.url }, [
        '-p', '2', '--run', 'examples/word-count.ts', '--input', join(dataDir, 'words.txt'), '--output', output,
      ]);
      const summary = new RegExp(`output ${output.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (\\d+) rows`);
      const lines = await waitFor(() => (summary.test(proc.logs().join('\n')) ? proc.logs() : undefined), {
        description: 'the cluster to print the job\'s output',
        timeoutMs: 90_000,
        intervalMs: 250,
        abortIf: () => (proc.exitInfo() ? new Error(`cluster exited:\n${proc.logs().join('\n')}`) : undefined),
      });
      const all = lines.join('\n');
      expect(all).toMatch(/job [0-9a-f]{32} submitted/);
      // The state changes it saw follow a job's lifecycle; RUNNING itself may fall between two
      // polls (this WordCount went CREATED → FINISHED in 0.2 s in a CI run).
      const states = [...all.matchAll(/job [0-9a-f]{32}: ([A-Z]+)/g)].map((m) => m[1]);
      const lifecycle = ['CREATED', 'INITIALIZING', 'RUNNING', 'FINISHED'];
      expect(states.map((st) => lifecycle.indexOf(st))).toEqual(states.map((st) => lifecycle.indexOf(st)).filter((i) => i >= 0).sort((a, b) => a - b));
      expect(all).toMatch(/job [0-9a-f]{32} FINISHED/);
      expect(Number(summary.exec(all)?.[1])).toBe(expected.size);
      const start = lines.findIndex((line) => summary.test(line));
      const printed = lines
        .slice(start + 1, start + 1 + expected.size)
        .map((line) => JSON.parse(line.trim()) as { word: string; count: number });
      expect(new Map(printed.map((r) => [r.word, r.count]))).toEqual(expected);

      // The cluster is still up after the job.
      expect(proc.exitInfo()).toBeUndefined();
      expect((await httpJson<Overview>(`http://127.0.0.1:${port}/overview`)).body?.taskmanagers).toBe(2);
      process.kill(proc.pid, 'SIGTERM');
      expect(await proc.exited).toEqual({ code: 0, signal: null });
    } finally {
      await db?.drop();
      await nats?.stop();
    }
  });

  it('starts its own NATS and Postgres when given none, and stops them on SIGTERM', async () => {
    const { proc, pids } = await startCluster({
      NATS_URL: undefined,
      DATABASE_URL: undefined,
    });
    const output = proc.logs().join('\n');
    expect(output).toMatch(/started nats-server/);
    expect(output).toMatch(/started Postgres/);

    process.kill(proc.pid, 'SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(alive(pids)).toEqual([]);
  });

  it('stops, not kills, on one Ctrl-C delivered twice (the terminal’s group SIGINT and the one `npm run` forwards)', async () => {
    const { proc, pids } = await startCluster({ NATS_URL: undefined, DATABASE_URL: undefined });
    process.kill(proc.pid, 'SIGINT');
    // npm's copy comes a little later than the terminal's. Two signals sent at once would be one:
    // the kernel merges a signal that is still pending.
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.kill(proc.pid, 'SIGINT');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    const output = proc.logs().join('\n');
    expect(output).toMatch(/SIGINT: stopping the cluster/);
    expect(output).toMatch(/cluster stopped/);
    // Every process stopped by itself: none was SIGKILLed (Postgres included).
    expect(output).not.toMatch(/killed|had already exited/);
    expect(alive(pids)).toEqual([]);
  });

  it('leaves no process behind when it is SIGKILLed', async () => {
    const { proc, pids } = await startCluster({ NATS_URL: undefined, DATABASE_URL: undefined });
    process.kill(proc.pid, 'SIGKILL');
    await proc.exited;
    // Children learn of their parent's death asynchronously (kernel signal, parent-pid watch).
    await waitFor(() => alive(pids).length === 0, {
      description: `the cluster's processes ${pids.join(', ')} to exit after the cluster was SIGKILLed`,
      timeoutMs: 20_000,
    });
  });
});
