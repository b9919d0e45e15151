// `npm run soak -- --minutes N`: a chaos soak, not part of CI. Starts a local cluster with one
// standby per control service and its own NATS, runs checkpointed Nexmark jobs (q5: sliding
// windows; q1: one row per bid, so a lost or doubled record shows as such) in back-to-back rounds of
// bounded input, and meanwhile SIGKILLs a TaskManager, the JobManager leader, the ResourceManager
// leader or the NATS server at random, waiting for recovery after each. At the end every round's
// output is compared with the independent reference; the faults, recovery times and records
// lost / duplicated are printed. Exit code 1 when anything differs or did not recover.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findFreePort, findRepoRoot, waitFor } from '../infra';
import { LocalCluster } from '../cluster/local-cluster';
import { FaultInjector, seededRandom, type FaultRecord } from './fault.injector';
import { parseSoakArgs, SOAK_USAGE, SoakArgsError, type SoakArgs } from './soak.args';
import { checkRound, SOAK_QUERIES, SoakJobClient, type RoundResult, type SoakQuery } from './soak.jobs';
import { HeapSampler } from './heap.sampler';

const SLOTS = 2;
const MIN_ROUND_EVENTS = 100_000;
// Bounds the memory of one round's check (events, expected and actual rows at once).
const MAX_ROUND_EVENTS = 2_000_000;
const JOB_DEADLINE_MS = 30 * 60_000;

interface RunningRound {
  query: SoakQuery;
  round: number;
  events: number;
  jobId: string;
  output: string;
  startedAt: number;
  done: Promise<RoundResult>;
}

const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
const clock = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}`;

async function soak(cluster: LocalCluster, restUrl: string, args: SoakArgs, dataDir: string, repoRoot: string, print: (l: string) => void): Promise<boolean> {
  const client = new SoakJobClient(restUrl, repoRoot);
  const startedAt = Date.now();
  const endAt = startedAt + args.minutes * 60_000;
  const results: RoundResult[] = [];
  const running = new Map<string, RunningRound>();
  let rounds = 0;
  const heaps = new HeapSampler(() => cluster.memberInfo());

  const follow = async (r: Omit<RunningRound, 'done'>): Promise<RoundResult> => {
    const view = await waitFor(
      async () => {
        const v = await client.view(r.jobId);
        return v && ['FINISHED', 'FAILED', 'CANCELED'].includes(v.state) && v;
      },
      { description: `${r.query.name} round ${r.round} to end`, timeoutMs: JOB_DEADLINE_MS, intervalMs: 500 },
    );
    const ms = Date.now() - r.startedAt;
    print(`${r.query.name} round ${r.round}: ${view.state} after ${seconds(ms)}`);
    // Checked against the reference only after the fault injection: the check is synchronous and
    // would stall the injector's clocks.
    return { query: r.query.name, round: r.round, events: r.events, jobId: r.jobId, state: view.state, seconds: ms / 1000, restored: view.restored ?? 0, unit: r.query.unit, rows: 0, expectedRows: 0, lost: 0, duplicated: 0 };
  };
  const outputs = new Map<number, { query: SoakQuery; output: string }>();

  let submitting = 0;
  const start = async (query: SoakQuery, events: number): Promise<void> => {
    const round = ++rounds;
    const output = join(dataDir, 'output', `${query.name}-${round}`);
    submitting++;
    const jobId = await client.submit(query, events, args.seed + round, output).finally(() => submitting--);
    print(`${query.name} round ${round}: job ${jobId}, ${events} events, parallelism ${query.parallelism}, checkpoints every 1 s`);
    const r = { query, round, events, jobId, output, startedAt: Date.now() };
    outputs.set(round, { query, output });
    const done = follow(r).then(async (result) => {
      running.delete(jobId);
      results.push(result);
      await heaps.sample(round);
      // Keep the cluster busy: the next round is sized to end about when the fault injection does.
      const left = endAt - Date.now();
      if (left > 45_000 && result.state === 'FINISHED') {
        const perSecond = result.events / result.seconds;
        const next = Math.round(Math.min(MAX_ROUND_EVENTS, Math.max(MIN_ROUND_EVENTS, (perSecond * left) / 1000)));
        void start(query, next).catch((error: unknown) => print(`could not start ${query.name}: ${(error as Error).message}`));
      }
      return result;
    });
    running.set(jobId, { ...r, done });
  };

  for (const query of SOAK_QUERIES) await start(query, args.events);
  const injector = new FaultInjector(
    {
      members: () => cluster.memberInfo(),
      runningJobs: () => [...running.keys()],
      view: (jobId) => client.view(jobId),
    },
    seededRandom(args.seed),
    startedAt,
    print,
    args.faults,
  );
  // The first fault after every job has a checkpoint to recover from.
  await waitFor(
    async () => (await Promise.all([...running.keys()].map((id) => client.view(id)))).every((v) => v?.latestCompletedTrigger !== undefined),
    { description: 'a first checkpoint of every job', timeoutMs: 120_000, intervalMs: 500 },
  );
  const random = seededRandom(args.seed ^ 0x5eed);
  const someJobCheckpointed = async () => {
    for (const id of running.keys()) if ((await client.view(id))?.latestCompletedTrigger !== undefined) return true;
    return false;
  };
  // No job left and none being submitted: the last rounds ended too close to the end for new ones.
  const nothingToRun = () => running.size === 0 && submitting === 0;
  try {
    await injectAndDrain();
  } catch (error) {
    // Still say what was injected and what the rounds that ended did: that is the evidence.
    print(`soak aborted: ${(error as Error).message}`);
    report(injector.faults, results, heaps, Date.now() - startedAt, print);
    return false;
  }
  async function injectAndDrain(): Promise<void> {
    // No faults chosen: the rounds alone run until the end (the soak's schedule, not a synchronisation).
    if (args.faults.length === 0) await new Promise((r) => setTimeout(r, Math.max(0, endAt - Date.now())));
    while (args.faults.length > 0 && Date.now() < endAt && !nothingToRun()) {
      // A fault between two rounds would test nothing: wait for a running job with a checkpoint.
      const ready = await waitFor(async () => (nothingToRun() ? 'none' : (await someJobCheckpointed()) && 'job'), {
        description: 'a running job with a completed checkpoint',
        timeoutMs: 180_000,
        intervalMs: 250,
      });
      if (ready === 'none') break;
      await injector.injectOne();
      const pauseMs = (args.pauseMinS + random() * (args.pauseMaxS - args.pauseMinS)) * 1000;
      if (Date.now() + pauseMs >= endAt) break;
      await new Promise((r) => setTimeout(r, pauseMs)); // the fault schedule, not a synchronisation
    }
    print(`fault injection over after ${clock(Date.now() - startedAt)}; waiting for ${running.size} running job(s) to finish`);
    // Rounds that end now start no new ones (less than 45 s left), so this drains.
    while (running.size > 0) await Promise.all([...running.values()].map((r) => r.done));
  }
  const checked: RoundResult[] = [];
  for (const result of results) {
    if (result.state !== 'FINISHED') {
      checked.push(result);
      continue;
    }
    const { query, output } = outputs.get(result.round) as { query: SoakQuery; output: string };
    print(`checking ${query.name} round ${result.round} (${result.events} events) against the reference`);
    checked.push({ ...result, ...checkRound(query, result.events, args.seed + result.round, output) });
  }
  return report(injector.faults, checked, heaps, Date.now() - startedAt, print);
}

function report(faults: readonly FaultRecord[], results: readonly RoundResult[], heaps: HeapSampler, totalMs: number, print: (l: string) => void): boolean {
  print('');
  print(`Soak report (${clock(totalMs)} total)`);
  print(`faults injected: ${faults.length}`);
  print('   #  at     fault                   victim                  restarted  new leader  recovered');
  for (const f of faults) {
    print(
      `  ${String(f.n).padStart(2)}  ${clock(f.at).padEnd(6)} ${f.kind.padEnd(23)} ${f.victim.padEnd(23)} ${seconds(f.restartedMs).padStart(9)}  ${seconds(f.newLeaderMs).padStart(10)}  ` +
        (f.error ? `NOT RECOVERED: ${f.error}` : seconds(f.recoveryMs)),
    );
  }
  const times = faults.flatMap((f) => (f.recoveryMs === undefined ? [] : [f.recoveryMs])).sort((a, b) => a - b);
  if (times.length > 0) {
    print(`recovery: min ${seconds(times[0])}, median ${seconds(times[Math.floor(times.length / 2)])}, max ${seconds(times[times.length - 1])}`);
  }
  print('rounds:');
  let lost = 0;
  let duplicated = 0;
  let ok = faults.every((f) => !f.error);
  for (const r of results) {
    lost += r.unit === 'records' ? r.lost : 0;
    duplicated += r.unit === 'records' ? r.duplicated : 0;
    const equal = r.state === 'FINISHED' && r.lost === 0 && r.duplicated === 0 && r.rows === r.expectedRows;
    ok &&= equal;
    print(
      `  ${r.query} #${r.round}: ${r.state}, ${r.events} events in ${r.seconds.toFixed(0)} s, restored ${r.restored}×, ` +
        `${r.rows}/${r.expectedRows} rows, ${r.unit === 'records' ? 'records' : 'rows'} missing ${r.lost}, extra ${r.duplicated}` +
        (equal ? ' — equals the reference' : ' — DIFFERS from the reference'),
    );
  }
  print(`records lost: ${lost}, duplicated: ${duplicated} (q1: one row per bid); window rows differing: ${results.filter((r) => r.unit === 'rows').reduce((a, r) => a + r.lost + r.duplicated, 0)}`);
  print('JobManager heap after each round (per process; a killed JobManager starts again from nothing):');
  for (const line of heaps.report()) print(`  ${line}`);
  print(ok ? 'SOAK PASSED' : 'SOAK FAILED');
  return ok;
}

async function main(): Promise<number> {
  let args: SoakArgs;
  try {
    args = parseSoakArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof SoakArgsError)) throw error;
    process.stderr.write(`${error.message}\n\n${SOAK_USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(SOAK_USAGE);
    return 0;
  }
  const repoRoot = process.env['RUNNEL_REPO_ROOT'] ?? findRepoRoot(__dirname);
  const dataDir = args.dataDir ? resolve(args.dataDir) : mkdtempSync(join(tmpdir(), 'runnel-soak-'));
  const print = (line: string) => process.stdout.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  let passed = false;
  const cluster: LocalCluster = new LocalCluster({
    taskmanagers: args.taskmanagers,
    slots: SLOTS,
    port: await findFreePort(),
    dataDir,
    repoRoot,
    standbys: 1,
    // Its own NATS always (the soak kills it); Postgres from DATABASE_URL or a private one.
    databaseUrl: process.env['DATABASE_URL'] || undefined,
    consoleLogLevel: 'error',
    serviceEnv: { LEADER_LEASE_MS: '3000', HEARTBEAT_INTERVAL_MS: '300', HEARTBEAT_TIMEOUT_MS: '3000' },
    print: (line) => process.stdout.write(`[cluster] ${line}\n`),
    onReady: async ({ restUrl }) => {
      try {
        passed = await soak(cluster, restUrl, args, dataDir, repoRoot, print);
      } catch (error) {
        print(`soak aborted: ${(error as Error).stack ?? String(error)}`);
      } finally {
        cluster.stop();
      }
    },
  });
  const onSignal = () => cluster.stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await cluster.run();
  if (!args.keep && !args.dataDir) rmSync(dataDir, { recursive: true, force: true });
  else print(`data and logs kept in ${dataDir}`);
  return code !== 0 ? code : passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
