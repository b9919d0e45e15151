// Application mode (`runnel run-application`) against the real services: one command starts a
// cluster of its own — here always private NATS and Postgres, the environment's NATS_URL and
// DATABASE_URL removed — runs one program in it, stops everything when the job ends, and exits
// with the job's outcome. Every test checks that no process the command started outlives it.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { processStartTime, startManagedProcess, type ExitInfo, type ManagedProcess } from '@runnel/tools';
import { descendantPids, isProcessAlive, waitFor } from './support';

const repoRoot = resolve(__dirname, '..', '..');
const runnelBin = join(repoRoot, 'tools', 'bin', 'runnel.js');
const wordCount = join(repoRoot, 'examples', 'word-count.ts');
const throwingMap = join(__dirname, 'fixtures', 'throwing-map.job.mjs');
const unbounded = join(__dirname, 'fixtures', 'unbounded.job.mjs');

const TEST_TIMEOUT_MS = 120_000;

/** A run of the command, and every process seen below it while it ran (pid → kernel start time). */
interface AppRun {
  readonly proc: ManagedProcess;
  readonly seen: Map<number, string>;
  /** Settles once the command exited and the last sample of its descendants was taken. */
  readonly done: Promise<ExitInfo>;
  output(): string;
}

describe('runnel run-application (application mode)', () => {
  let workDir: string;
  /** The command's TMPDIR: its default data dir is made here, and must be gone afterwards. */
  let appTmp: string;
  let current: AppRun | undefined;

  beforeEach(() => {
    // mkdtemp: mode 0700, so (as root) the private Postgres must cope with a data dir its user
    // cannot enter, as on CI machines whose checkout lives under /root.
    workDir = mkdtempSync(join(tmpdir(), 'runnel-e2e-app-'));
    appTmp = join(workDir, 'tmp');
    mkdirSync(appTmp);
  });

  afterEach(async () => {
    if (current && !current.proc.exitInfo()) await current.proc.kill();
    current = undefined;
    rmSync(workDir, { recursive: true, force: true });
  });

  function runApplication(args: readonly string[]): AppRun {
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: appTmp, LOG_LEVEL: 'info' };
    delete env['NATS_URL'];
    delete env['DATABASE_URL'];
    delete env['RUNNEL_REPO_ROOT'];
    const proc = startManagedProcess({
      name: 'run-application',
      command: process.execPath,
      args: [runnelBin, 'run-application', ...args],
      env,
      cwd: workDir,
      output: process.env['RUNNEL_E2E_LOGS'] ? { type: 'prefix', stream: process.stderr } : { type: 'buffer' },
      keepLines: 50_000,
    });
    const seen = new Map<number, string>();
    const sample = (): void => {
      for (const pid of descendantPids(proc.pid)) {
        const started = processStartTime(pid);
        if (started !== undefined && !seen.has(pid)) seen.set(pid, started);
      }
    };
    // Sample the process tree until the command exits (the exit itself is what we wait on).
    const done = (async () => {
      while (!proc.exitInfo()) {
        sample();
        await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 100))]);
      }
      return proc.exited;
    })();
    current = { proc, seen, done, output: () => proc.logs().join('\n') };
    return current;
  }

  /** Processes the command started that are still alive (same pid and start time). */
  function survivors(run: AppRun): number[] {
    return [...run.seen].filter(([pid, started]) => isProcessAlive(pid) && processStartTime(pid) === started).map(([pid]) => pid);
  }

  async function expectNothingLeft(run: AppRun): Promise<void> {
    await waitFor(() => survivors(run).length === 0, {
      description: `the processes the command started (${[...run.seen.keys()].join(', ')}) to be gone`,
      timeoutMs: 20_000,
    }).catch((error: Error) => {
      throw new Error(`${error.message}; alive: ${survivors(run).join(', ')}\n--- output ---\n${run.output()}`);
    });
    // Its default data dir (under TMPDIR) is removed, and so is Postgres data relocated for it.
    expect(readdirSync(appTmp)).toEqual([]);
    const relocated = /using (\/\S+\/postgres) instead/.exec(run.output())?.[1];
    if (relocated) expect(existsSync(dirname(relocated))).toBe(false);
  }

  function withOutput<T>(run: AppRun, check: () => T): T {
    try {
      return check();
    } catch (error) {
      (error as Error).message += `\n--- run-application output ---\n${run.output().slice(-20_000)}`;
      throw error;
    }
  }

  it(
    'runs WordCount in a cluster of its own, prints its rows, exits 0 and leaves nothing behind',
    async () => {
      const text =
        'The quick brown fox jumps over the lazy dog.\nThe dog sleeps; the FOX runs, and runs again!\n' +
        'Zwei 2 zwei, café CAFÉ 42 forty-two 42\n';
      writeFileSync(join(workDir, 'words.txt'), text);
      // Expected counts, computed here: lower-cased runs of ASCII letters and digits.
      const expected = new Map<string, number>();
      for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) expected.set(word, (expected.get(word) ?? 0) + 1);

      // Relative --input/--output: taken from the command's working directory (workDir).
      const run = runApplication(['-p', '2', wordCount, '--input', 'words.txt', '--output', 'out/']);
      const exit = await run.done;
      const output = run.output();
      withOutput(run, () => {
        expect(exit).toEqual({ code: 0, signal: null });
        expect(output).toMatch(/started nats-server/);
        expect(output).toMatch(/started Postgres/);
        expect(output).toMatch(/Runnel cluster is up/);
        expect(output).toMatch(/job [0-9a-f]{32} submitted/);
        // The state changes it saw, in the order of a job's lifecycle and ending FINISHED. RUNNING
        // itself may fall between two polls: a small WordCount can finish within one.
        const states = [...output.matchAll(/job [0-9a-f]{32}: ([A-Z]+)/g)].map((m) => m[1]);
        const lifecycle = ['CREATED', 'INITIALIZING', 'RUNNING', 'FINISHED'];
        expect(states.at(-1)).toBe('FINISHED');
        expect(states.map((st) => lifecycle.indexOf(st))).toEqual(states.map((st) => lifecycle.indexOf(st)).filter((i) => i >= 0).sort((a, b) => a - b));
        expect(output).toMatch(/job [0-9a-f]{32} FINISHED/);
        expect(output).toContain(`output ${join(workDir, 'out')}/: ${expected.size} rows`);
        expect(output).toMatch(/cluster stopped/);
      });

      const outDir = join(workDir, 'out');
      const rows = readdirSync(outDir)
        .sort()
        .flatMap((file) => readFileSync(join(outDir, file), 'utf8').split('\n'))
        .filter((line) => line.trim().length > 0)
        .map((line) => JSON.parse(line) as { word: string; count: number });
      expect(rows).toHaveLength(expected.size);
      expect(new Map(rows.map((r) => [r.word, r.count]))).toEqual(expected);

      // NATS, Postgres, ResourceManager, JobManager, dispatcher and a TaskManager at least.
      expect(run.seen.size).toBeGreaterThanOrEqual(6);
      await expectNothingLeft(run);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'exits 1 with the thrown error as root cause when the program fails',
    async () => {
      const run = runApplication([throwingMap]);
      const exit = await run.done;
      withOutput(run, () => {
        expect(exit).toEqual({ code: 1, signal: null });
        expect(run.output()).toMatch(/job [0-9a-f]{32} FAILED after .*; root cause:/);
        expect(run.output()).toContain('RangeError: reading 1234 is out of range');
      });
      await expectNothingLeft(run);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'exits 2 at once, starting nothing, when the job file does not exist',
    async () => {
      const started = Date.now();
      const run = runApplication(['-p', '2', join(workDir, 'no-such-job.ts'), '--input', 'words.txt']);
      const exit = await run.done;
      withOutput(run, () => {
        expect(exit).toEqual({ code: 2, signal: null });
        expect(run.output()).toContain('job file not found');
        expect(run.output()).not.toMatch(/nats-server|Postgres|cluster/);
      });
      // Node's start-up and the CLI's imports only: no infrastructure is started.
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(run.seen.size).toBe(0);
      expect(readdirSync(appTmp)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'on SIGINT cancels the running job, stops the cluster and exits 130',
    async () => {
      const run = runApplication([unbounded]);
      await waitFor(() => /job [0-9a-f]{32}: RUNNING/.test(run.output()), {
        description: 'the job to be RUNNING',
        timeoutMs: 90_000,
        intervalMs: 100,
        abortIf: () => (run.proc.exitInfo() ? new Error(`run-application exited early:\n${run.output()}`) : undefined),
      });
      process.kill(run.proc.pid, 'SIGINT');
      const exit = await run.done;
      withOutput(run, () => {
        expect(exit).toEqual({ code: 130, signal: null });
        expect(run.output()).toMatch(/SIGINT: cancelling job [0-9a-f]{32}/);
        expect(run.output()).toMatch(/job [0-9a-f]{32}: CANCELED/);
        expect(run.output()).toMatch(/cluster stopped/);
      });
      await expectNothingLeft(run);
    },
    TEST_TIMEOUT_MS,
  );
});
