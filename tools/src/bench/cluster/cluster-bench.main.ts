/**
 * `npm run bench` (cluster part): Nexmark q0 and q5 on a real cluster of 2 TaskManagers (records
 * exchanged in-process and over JetStream), each repeated and reported as median (min–max), each
 * run's output checked against the independent reference (a wrong answer fails the bench); beside
 * them the raw JetStream ceiling of q5's exchange measured in the same run (fixed ~32 KiB
 * messages carrying the same bids, one connection per TaskManager); q5 with checkpoints every
 * second against none (a short run, and one 5× longer for the steady state); a scaling table of
 * q5 at parallelism 1 and 2 (events/s and events/s per TaskManager core, each repeated and
 * checked); and the recovery time after a TaskManager is killed. Rates are given over the job's
 * RUNNING time and over the time its tasks ran (from the first subtask RUNNING: no deployment or
 * worker start-up, which the raw baseline does not pay either).
 * Options: --events N (q0; q5 uses half), --repeats N (default 3; also the recovery rounds), --skip-recovery, --recovery-only.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateNexmarkEvents, type NexmarkEvent } from '@runnel/dataflow';
import { compareRows, readJsonLinesOutput, referenceQ0, referenceQ5, type RefEvent } from '../../reference';
import { formatRate, renderTable } from '../bench.table';
import { BenchCluster } from './bench-cluster';
import { RAW_MESSAGE_BYTES, rawJetStreamBaseline } from './raw-jetstream.baseline';
import { formatSpread, spreadOf, type Spread } from './repeat.stats';
import type { JobId } from '@runnel/protocol';

const EXAMPLES = resolve(__dirname, '../../../../examples');
const RATE = 50_000;
const SEED = 42;

interface JobRun {
  readonly events: number;
  /** From the job's RUNNING (slots acquired, before deployment) to its end. */
  readonly wallMs: number;
  /**
   * From the first subtask RUNNING to the job's end: without deployment and worker start-up, which
   * the raw baseline (connections and stream made before its clock starts) does not pay either.
   */
  readonly runningMs: number;
  readonly cores: number;
  readonly jobId: JobId;
}

interface Query {
  readonly example: string;
  readonly events: number;
  readonly expected: unknown[];
  readonly extra?: string[];
  /** Default 2 (one subtask per TaskManager). */
  readonly parallelism?: number;
}

async function runJob(cluster: BenchCluster, query: Query, run: number): Promise<JobRun> {
  const cpu0 = cluster.taskManagerCpuMs();
  const output = `${cluster.dir}/${query.example}-${run}-${Date.now()}/`;
  const jobId = await cluster.client.submit(resolve(EXAMPLES, query.example), {
    programArgs: ['--events', String(query.events), '--rate', String(RATE), '--seed', String(SEED), '--output', output, ...(query.extra ?? [])],
    parallelism: query.parallelism ?? 2,
  });
  await cluster.client.awaitResult(jobId, { timeoutMs: 600_000, pollMs: 100 });
  const job = await cluster.client.status(jobId);
  const running = job.timestamps.RUNNING ?? job['start-time'];
  const wallMs = job['end-time'] - running;
  const runningMs = job['end-time'] - (await firstTaskRunning(cluster, jobId));
  const cores = (cluster.taskManagerCpuMs() - cpu0) / Math.max(1, wallMs);
  // Checked outside the timed part: a fast wrong answer is no result.
  const diff = compareRows(readJsonLinesOutput(output), query.expected);
  if (!diff.equal) {
    throw new Error(`${query.example} run ${run}: output differs from the reference (${diff.missing.length} missing, ${diff.unexpected.length} unexpected rows)`);
  }
  return { events: query.events, wallMs, runningMs, cores, jobId };
}

/** The earliest RUNNING of any subtask of the job (REST: every vertex's subtasktimes). */
async function firstTaskRunning(cluster: BenchCluster, jobId: JobId): Promise<number> {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${cluster.url}${path}`);
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
    return (await response.json()) as T;
  };
  const { vertices } = await get<{ vertices: { id: string }[] }>(`/jobs/${jobId}`);
  let first = Number.POSITIVE_INFINITY;
  for (const v of vertices) {
    const { subtasks } = await get<{ subtasks: { timestamps: { RUNNING?: number } }[] }>(`/jobs/${jobId}/vertices/${v.id}/subtasktimes`);
    for (const t of subtasks) if (t.timestamps.RUNNING !== undefined) first = Math.min(first, t.timestamps.RUNNING);
  }
  if (!Number.isFinite(first)) throw new Error(`job ${jobId}: no subtask reached RUNNING`);
  return first;
}

async function repeat(cluster: BenchCluster, query: Query, repeats: number): Promise<JobRun[]> {
  const runs: JobRun[] = [];
  for (let i = 0; i < repeats; i++) runs.push(await runJob(cluster, query, i));
  return runs;
}

/** Recovery after a TaskManager SIGKILL, `repeats` times (each kills the TaskManager the last one started). */
async function reportRecovery(cluster: BenchCluster, events: number, repeats: number, heartbeatTimeoutMs: number): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) times.push((await recoveryTime(cluster, events * 4, i)).ms);
  process.stdout.write(
    `recovery after SIGKILL of a TaskManager (heartbeat timeout ${heartbeatTimeoutMs} ms, replacement started at once), ${repeats} rounds: ` +
      `${formatSpread(spreadOf(times), (ms) => `${Math.round(ms)} ms`)} until all tasks run again (${times.map((t) => Math.round(t)).join(', ')})\n`,
  );
}

async function recoveryTime(cluster: BenchCluster, events: number, round: number): Promise<{ ms: number; restored: number }> {
  const jobId = await cluster.client.submit(resolve(EXAMPLES, 'nexmark-q5.ts'), {
    programArgs: ['--events', String(events), '--rate', String(RATE), '--checkpoint-interval', '500', '--output', `${cluster.dir}/recovery/`],
    parallelism: 2,
  });
  const deadline = Date.now() + 60_000;
  while ((await cluster.client.checkpoints(jobId)).counts.completed < 1) {
    if (Date.now() > deadline) throw new Error('no checkpoint completed within 60 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  const killedAt = Date.now();
  // Round 0 kills bench-tm-1 and starts bench-tm-2, round 1 kills bench-tm-2 and starts bench-tm-3, …
  const victim = `bench-tm-${round + 1}`;
  const tm = cluster.taskManagers.get(victim);
  if (!tm) throw new Error(`no TaskManager ${victim} to kill`);
  await tm.kill();
  cluster.startTaskManager(`bench-tm-${round + 2}`, 1);
  for (;;) {
    const job = await cluster.client.status(jobId);
    const restored = (await cluster.client.checkpoints(jobId)).counts.restored;
    if (restored >= 1 && (job.state === 'FINISHED' || (job.state === 'RUNNING' && job.vertices.every((v) => v.status === 'RUNNING' || v.status === 'FINISHED')))) {
      const ms = Date.now() - killedAt;
      await cluster.client.awaitResult(jobId, { timeoutMs: 600_000 }).catch(() => undefined);
      return { ms, restored };
    }
    if (Date.now() - killedAt > 120_000) throw new Error(`job did not recover within 120 s (state ${job.state})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const rateOf = (r: JobRun) => (r.events * 1000) / r.wallMs;
const runningRateOf = (r: JobRun) => (r.events * 1000) / r.runningMs;
const perCoreOf = (r: JobRun) => rateOf(r) / Math.max(r.cores, 0.01);

function row(what: string, runs: readonly JobRun[], note: string): string[] {
  return [what, formatSpread(spreadOf(runs.map(rateOf)), formatRate), formatSpread(spreadOf(runs.map(runningRateOf)), formatRate), spreadOf(runs.map((r) => r.cores)).median.toFixed(2), formatSpread(spreadOf(runs.map(perCoreOf)), formatRate), note];
}

const pct = (a: Spread, b: Spread) => `${((a.median / b.median) * 100).toFixed(0)}%`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { events: { type: 'string', default: '400000' }, repeats: { type: 'string', default: '3' }, 'skip-recovery': { type: 'boolean' }, 'recovery-only': { type: 'boolean' } },
  });
  const events = Number(values.events);
  const repeats = Math.max(1, Number(values.repeats));
  const q5Events = Math.floor(events / 2);
  const heartbeatTimeoutMs = 2000;
  // The expected answers, from the independent references over the same generated events.
  const q0Input = generateNexmarkEvents({ events, rate: RATE, seed: SEED });
  const q5Input: NexmarkEvent[] = q0Input.length === q5Events ? q0Input : generateNexmarkEvents({ events: q5Events, rate: RATE, seed: SEED });
  const q0: Query = { example: 'nexmark-q0.ts', events, expected: referenceQ0(q0Input as unknown as RefEvent[]) };
  const q5: Query = { example: 'nexmark-q5.ts', events: q5Events, expected: referenceQ5(q5Input as unknown as RefEvent[]) };
  const q5cp: Query = { ...q5, extra: ['--checkpoint-interval', '1000'] };
  const q5p1: Query = { ...q5, parallelism: 1 };
  // A run long enough for many checkpoints (~15 s), so start-up and the final checkpoint weigh
  // little: the steady-state cost of checkpointing every second.
  const longEvents = q5Events * 5;
  const q5LongInput = generateNexmarkEvents({ events: longEvents, rate: RATE, seed: SEED });
  const q5Long: Query = { example: 'nexmark-q5.ts', events: longEvents, expected: referenceQ5(q5LongInput as unknown as RefEvent[]) };
  const q5LongCp: Query = { ...q5Long, extra: ['--checkpoint-interval', '1000'] };
  const cluster = new BenchCluster();
  try {
    await cluster.start({ taskManagers: 2, slots: 1, heartbeatTimeoutMs });
    process.stdout.write(`cluster: 2 TaskManagers × 1 slot, parallelism 2, NATS ${cluster.nats.url}; ${repeats} repeats, median (min–max), every run checked against the reference\n`);
    if (values['recovery-only']) {
      await reportRecovery(cluster, events, repeats, heartbeatTimeoutMs);
      return;
    }
    const raw = [];
    for (let i = 0; i < repeats; i++) raw.push(await rawJetStreamBaseline(cluster.nats.url, q5Input));
    // Expressed per input event of q5, so it compares with q5's events/s directly.
    const rawRates = spreadOf(raw.map((r) => (q5Events * 1000) / r.wallMs));
    // The same for the long run's input, for its steady-state share.
    const rawLong = [];
    for (let i = 0; i < repeats; i++) rawLong.push(await rawJetStreamBaseline(cluster.nats.url, q5LongInput));
    const rawLongRates = spreadOf(rawLong.map((r) => (longEvents * 1000) / r.wallMs));
    const q0Runs = await repeat(cluster, q0, repeats);
    const q5Runs = await repeat(cluster, q5, repeats);
    const q5cpRuns = await repeat(cluster, q5cp, repeats);
    const q5p1Runs = await repeat(cluster, q5p1, repeats);
    const q5LongRuns = await repeat(cluster, q5Long, repeats);
    const q5LongCpRuns = await repeat(cluster, q5LongCp, repeats);
    const q5Rates = spreadOf(q5Runs.map(rateOf));
    const rows = [
      [
        'raw JetStream, q5 exchange',
        formatSpread(rawRates, formatRate),
        formatSpread(rawRates, formatRate),
        '-',
        '-',
        `${raw[0].records} bids in ${raw[0].messages} msgs × ~${Math.round(raw[0].bytes / raw[0].messages / 1024)} KiB (fixed at ${RAW_MESSAGE_BYTES / 1024} KiB)`,
      ],
      row('q0 (cluster, chained, no exchange)', q0Runs, 'never crosses the network'),
      row('q5 (cluster, keyed exchange)', q5Runs, `${pct(q5Rates, rawRates)} of raw (${pct(spreadOf(q5Runs.map(runningRateOf)), rawRates)} while running)`),
      row('q5 + checkpoints every 1 s', q5cpRuns, `${pct(spreadOf(q5cpRuns.map(rateOf)), q5Rates)} of no checkpoints (${pct(spreadOf(q5cpRuns.map(runningRateOf)), spreadOf(q5Runs.map(runningRateOf)))} while running)`),
      [
        `raw JetStream, ${(longEvents / 1e6).toFixed(1)}M events' exchange`,
        formatSpread(rawLongRates, formatRate),
        formatSpread(rawLongRates, formatRate),
        '-',
        '-',
        `${rawLong[0].records} bids in ${rawLong[0].messages} msgs`,
      ],
      row(`q5, ${(longEvents / 1e6).toFixed(1)}M events`, q5LongRuns, `long run, start-up and end weigh little: ${pct(spreadOf(q5LongRuns.map(rateOf)), rawLongRates)} of raw (${pct(spreadOf(q5LongRuns.map(runningRateOf)), rawLongRates)} while running)`),
      row(`q5, ${(longEvents / 1e6).toFixed(1)}M events + checkpoints every 1 s`, q5LongCpRuns, `${pct(spreadOf(q5LongCpRuns.map(rateOf)), spreadOf(q5LongRuns.map(rateOf)))} of no checkpoints (${pct(spreadOf(q5LongCpRuns.map(runningRateOf)), spreadOf(q5LongRuns.map(runningRateOf)))} while running; steady state)`),
    ];
    process.stdout.write(renderTable(['what', 'events/s', 'events/s while running', 'TM cores', 'events/s per core', 'note'], rows) + '\n');
    // Scaling: the same q5 (no checkpoints) on one TaskManager's slot and on both.
    const p1Rates = spreadOf(q5p1Runs.map(rateOf));
    const speedUps = q5Runs.map((r, i) => rateOf(r) / rateOf(q5p1Runs[Math.min(i, q5p1Runs.length - 1)]));
    process.stdout.write(
      `\nq5 scaling on the cluster (${q5Events.toLocaleString('en')} events, keyed exchange; TM cores = TaskManager CPU seconds ÷ wall seconds):\n` +
        renderTable(
          ['parallelism', 'events/s', 'TM cores', 'events/s per core', 'vs p=1'],
          [
            ['1 (1 TaskManager)', formatSpread(p1Rates, formatRate), spreadOf(q5p1Runs.map((r) => r.cores)).median.toFixed(2), formatSpread(spreadOf(q5p1Runs.map(perCoreOf)), formatRate), '1.00x'],
            [
              '2 (2 TaskManagers)',
              formatSpread(q5Rates, formatRate),
              spreadOf(q5Runs.map((r) => r.cores)).median.toFixed(2),
              formatSpread(spreadOf(q5Runs.map(perCoreOf)), formatRate),
              formatSpread(spreadOf(speedUps), (x) => x.toFixed(2) + 'x'),
            ],
          ],
        ) +
        `\n(the machine has ${availableParallelism()} cores; speed-up pairs repeat i of p=2 with repeat i of p=1)\n\n`,
    );
    const cp = await cluster.client.checkpoints(q5cpRuns[q5cpRuns.length - 1].jobId);
    const summary = cp.summary as { state_size: { avg: number; max: number }; end_to_end_duration: { avg: number; max: number } };
    process.stdout.write(
      `checkpoints of the last q5 run: ${cp.counts.completed} completed, ${cp.counts.failed} failed; duration avg ${summary.end_to_end_duration.avg} ms, max ${summary.end_to_end_duration.max} ms; ` +
        `size avg ${(summary.state_size.avg / 1024).toFixed(0)} KiB, max ${(summary.state_size.max / 1024).toFixed(0)} KiB\n`,
    );
    if (!values['skip-recovery']) await reportRecovery(cluster, events, repeats, heartbeatTimeoutMs);
  } finally {
    await cluster.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
