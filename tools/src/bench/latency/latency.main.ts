/**
 * `npm run bench:latency`: end-to-end latency of Nexmark q1 (stateless) and q5 (windowed),
 * reported, not asserted. Per query, in one run of the bench:
 *   1. the maximum rate: the job unthrottled (checkpoints every second like the rest), events ÷
 *      (last sink write − first source poll);
 *   2. the job throttled at 50% and at 100% of that rate (wall-clock rate limit in the source),
 *      each repeated, for about --seconds each, reporting p50/p99/max per repeat and the spread.
 * Latency is defined in latency.report.ts (q1: per sampled record, source poll → sink writer;
 * q5: per result row, the closing watermark leaving the sources → sink writer). Every run's
 * answer is checked against the reference (q1: row count and checksum; q5: every row); a wrong
 * answer makes the bench exit non-zero.
 * Options: --queries q1,q5, --repeats N (3), --seconds S (4), --checkpoint-interval MS (1000),
 * --sample N (16), -p N (1), --executor embedded|cluster|both (embedded).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { StreamExecutionEnvironment, generateNexmarkEvents } from '@runnel/dataflow';
import { referenceQ1, referenceQ5, type RefEvent } from '../../reference';
import { formatRate, renderTable } from '../bench.table';
import { spread, type Spread } from '../bench.stats';
import { BenchCluster } from '../cluster/bench-cluster';
import runLatencyJob from './latency.job';
import { reportRun, type Q1Expected, type RunReport } from './latency.report';
import { addQ1Checksum, type WindowRow } from './latency.sink';

const RATE = 10_000; // q1's event-time rate, as the embedded bench
/**
 * q5's event time runs this many times faster than the wall-clock rate of the run, so a window
 * (slide 2 s of event time) closes every 0.1 s of wall time at any rate: enough closings per run.
 */
const Q5_EVENT_TIME_SPEED = 20;
const SEED = 42;
const JOB_SOURCE = resolve(__dirname, '../../../src/bench/latency/latency.job.ts');

interface Opts {
  queries: ('q1' | 'q5')[];
  repeats: number;
  seconds: number;
  checkpointInterval: number;
  sample: number;
  parallelism: number;
  executors: ('embedded' | 'cluster')[];
}

function options(): Opts {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      queries: { type: 'string', default: 'q1,q5' },
      repeats: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '4' },
      'checkpoint-interval': { type: 'string', default: '1000' },
      sample: { type: 'string', default: '16' },
      parallelism: { type: 'string', short: 'p', default: '1' },
      executor: { type: 'string', default: 'embedded' },
    },
  });
  const queries = values.queries.split(',') as Opts['queries'];
  for (const q of queries) if (q !== 'q1' && q !== 'q5') throw new Error(`--queries takes q1 and/or q5, got ${q}`);
  const executors: Opts['executors'] = values.executor === 'both' ? ['embedded', 'cluster'] : [values.executor as 'embedded' | 'cluster'];
  for (const e of executors) if (e !== 'embedded' && e !== 'cluster') throw new Error(`--executor must be embedded, cluster or both, got ${values.executor}`);
  const positive = (name: string, raw: string) => {
    const n = Number(raw);
    if (!(n > 0)) throw new Error(`--${name} must be > 0, got ${raw}`);
    return n;
  };
  return {
    queries,
    repeats: Math.floor(positive('repeats', values.repeats)),
    seconds: positive('seconds', values.seconds),
    checkpointInterval: positive('checkpoint-interval', values['checkpoint-interval']),
    sample: Math.floor(positive('sample', values.sample)),
    parallelism: Math.floor(positive('parallelism', values.parallelism)),
    executors,
  };
}

/** Runs the job with these args to completion (the logs land in the --output directory). */
type Runner = (args: string[]) => Promise<void>;

const embeddedRunner =
  (parallelism: number): Runner =>
  (args) =>
    runLatencyJob(new StreamExecutionEnvironment('local', parallelism), args);

function clusterRunner(cluster: BenchCluster, parallelism: number): Runner {
  return async (args) => {
    const jobId = await cluster.client.submit(JOB_SOURCE, { programArgs: args, parallelism });
    await cluster.client.awaitResult(jobId, { timeoutMs: 600_000, pollMs: 100 });
  };
}

const expectedCache = new Map<string, Q1Expected | WindowRow[]>();
function expectedFor(query: 'q1' | 'q5', events: number, rate: number): Q1Expected | WindowRow[] {
  const key = `${query}/${events}/${rate}`;
  let e = expectedCache.get(key);
  if (e === undefined) {
    const input = generateNexmarkEvents({ events, rate, seed: SEED }) as unknown as RefEvent[];
    if (query === 'q5') e = referenceQ5(input);
    else {
      const rows = referenceQ1(input);
      e = { rows: rows.length, checksum: rows.reduce(addQ1Checksum, 0) };
    }
    expectedCache.set(key, e);
  }
  return e;
}

/** `pace`: the wall-clock rate q5's event time is tied to (the throttle, or the expected maximum). */
async function runOnce(run: Runner, query: 'q1' | 'q5', events: number, wallRate: number, pace: number, opts: Opts, dir: string): Promise<RunReport> {
  const output = mkdtempSync(join(dir, `${query}-`));
  const rate = query === 'q5' ? Math.max(100, Math.round(pace / Q5_EVENT_TIME_SPEED)) : RATE;
  const args = ['--query', query, '--events', String(events), '--rate', String(rate), '--seed', String(SEED), '--wall-rate', String(Math.round(wallRate))];
  args.push('--sample', String(opts.sample), '--checkpoint-interval', String(opts.checkpointInterval), '--output', output + '/');
  const expected = expectedFor(query, events, rate); // before the run: the reference is not timed
  await run(args);
  const report = reportRun(output, events, expected);
  rmSync(output, { recursive: true, force: true });
  return report;
}

/** HdrHistogram answers a percentile with its bucket's highest equivalent value: keep it <= max. */
const pct = (h: RunReport['histogram'], p: number) => Math.min(h.getValueAtPercentile(p), h.maxValue);
/** ms with µs resolution below 1 ms (a chained q1 takes µs), fewer digits above. */
const ms = (us: number) => (us >= 100_000 ? (us / 1000).toFixed(0) : us >= 1000 ? (us / 1000).toFixed(1) : (us / 1000).toFixed(3));
const msSpread = (s: Spread) => `${ms(s.median)} (${ms(s.min)}–${ms(s.max)})`;

interface Row {
  executor: string;
  query: string;
  load: string;
  target: number;
  runs: RunReport[];
}

async function benchExecutor(name: string, run: Runner, opts: Opts, dir: string, out: NodeJS.WritableStream): Promise<{ rows: Row[]; failures: string[] }> {
  const rows: Row[] = [];
  const failures: string[] = [];
  const note = (what: string, r: RunReport, query: string) => {
    if (r.failure) failures.push(`${name} ${what}: ${r.failure}`);
    const h = r.histogram;
    out.write(
      `  ${name} ${what}: ${formatRate(r.rate)} ev/s over ${(r.wallMs / 1000).toFixed(1)} s, ${h.totalCount} samples, ` +
        `p50 ${ms(pct(h, 50))} ms, p99 ${ms(pct(h, 99))} ms, max ${ms(h.maxValue)} ms` +
        `${query === 'q5' ? `, ${r.atEnd} rows closed by the end of input (not in the histogram)` : ''}` +
        `${r.early ? `, ${r.early} rows before their logged watermark` : ''}${r.failure ? '  WRONG ANSWER' : ''}\n`,
    );
  };
  for (const query of opts.queries) {
    await runOnce(run, query, 50_000, 0, RATE * Q5_EVENT_TIME_SPEED, opts, dir); // warm-up (JIT), not reported
    // The maximum rate: unthrottled, sized (and q5's event time paced) by a first guess.
    const probe = await runOnce(run, query, 200_000, 0, RATE * Q5_EVENT_TIME_SPEED, opts, dir);
    const maxEvents = Math.max(200_000, Math.round(probe.rate * opts.seconds));
    const max = await runOnce(run, query, maxEvents, 0, probe.rate, opts, dir);
    note(`${query} unthrottled`, max, query);
    rows.push({ executor: name, query, load: 'max (unthrottled)', target: 0, runs: [max] });
    for (const load of [0.5, 1]) {
      const target = max.rate * load;
      const events = Math.max(50_000, Math.round(target * opts.seconds));
      const runs: RunReport[] = [];
      for (let i = 0; i < opts.repeats; i++) {
        const r = await runOnce(run, query, events, target, target, opts, dir);
        note(`${query} ${load * 100}% repeat ${i + 1}`, r, query);
        runs.push(r);
      }
      rows.push({ executor: name, query, load: `${load * 100}%`, target, runs });
    }
  }
  return { rows, failures };
}

function renderRows(rows: readonly Row[]): string {
  return renderTable(
    ['executor', 'query', 'load', 'target ev/s', 'achieved ev/s', 'repeats', 'p50 ms median (min–max)', 'p99 ms median (min–max)', 'max ms median (min–max)', 'answer'],
    rows.map((r) => {
      const of = (f: (x: RunReport) => number) => spread(r.runs.map(f));
      return [
        r.executor,
        r.query,
        r.load,
        r.target ? formatRate(r.target) : '-',
        formatRate(of((x) => x.rate).median),
        String(r.runs.length),
        msSpread(of((x) => pct(x.histogram, 50))),
        msSpread(of((x) => pct(x.histogram, 99))),
        msSpread(of((x) => x.histogram.maxValue)),
        r.runs.every((x) => !x.failure) ? 'ok' : 'WRONG',
      ];
    }),
  );
}

async function main(): Promise<void> {
  const opts = options();
  const dir = mkdtempSync(join(tmpdir(), 'runnel-latency-'));
  process.stdout.write(
    `Latency bench: Nexmark ${opts.queries.join(', ')} (seed ${SEED}; event time: q1 ${RATE}/s, q5 ${Q5_EVENT_TIME_SPEED}× the run's wall-clock rate), checkpoints every ${opts.checkpointInterval} ms, ` +
      `${opts.repeats} repeats of ~${opts.seconds} s at 50% and 100% of the unthrottled rate measured first; reported, not asserted.\n` +
      `q1: sink writer wall time − source wall time of every ${opts.sample}th event. ` +
      `q5: sink writer wall time of each result row − wall time the watermark closing its window left the (last) source subtask, for windows a periodic watermark closed.\n`,
  );
  const rows: Row[] = [];
  const failures: string[] = [];
  try {
    for (const executor of opts.executors) {
      if (executor === 'embedded') {
        const r = await benchExecutor(`embedded p=${opts.parallelism}`, embeddedRunner(opts.parallelism), opts, dir, process.stdout);
        rows.push(...r.rows);
        failures.push(...r.failures);
      } else {
        const cluster = new BenchCluster();
        try {
          await cluster.start({ taskManagers: 2, slots: 1, heartbeatTimeoutMs: 5000 });
          const r = await benchExecutor('cluster 2 TMs p=2', clusterRunner(cluster, 2), opts, dir, process.stdout);
          rows.push(...r.rows);
          failures.push(...r.failures);
        } finally {
          await cluster.stop();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write('\n' + renderRows(rows) + '\n');
  if (failures.length) {
    process.stderr.write(`\nlatency bench FAILED: wrong answers\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
