/**
 * `npm run bench:embedded`: Nexmark q0, q1, q2, q5, q7 on the embedded executor against a plain
 * JS loop (the reference implementation) over the same pre-generated events, both measured in
 * every repeat of the same run. Reports min/median/max over the repeats of events/s per core
 * (process CPU time, so it stays comparable on a loaded machine), cores used and the slowdown
 * against the loop; every repeat's output is checked against the loop's answer and a mismatch
 * makes the bench exit non-zero. Then a scaling table for q5 (keys × windows per record, input
 * size; see bench.scaling.ts). Options: --events N (default 1 000 000), --repeats R (default 3),
 * -p N (default 1), --queries q0,q5, --rate R (event-time rate, default 10 000/s), --seed S,
 * --source pregenerated|generator (default pregenerated: events generated before timing;
 * generator: the job's own Nexmark source runs inside the timed part), --scaling yes|no.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateNexmarkEvents, loadJobModule, type NexmarkEvent } from '@runnel/dataflow';
import { referenceQ0, referenceQ1, referenceQ2, referenceQ5, referenceQ7, type RefEvent } from '../reference';
import { BenchEnvironment } from './bench.environment';
import { measure, perSecond, type Measurement } from './bench.measure';
import { formatRate, renderTable } from './bench.table';
import { checkRows } from './bench.check';
import { runScaling } from './bench.scaling';
import { formatRateSpread, formatRatioSpread, spread } from './bench.stats';

interface BenchQuery {
  name: string;
  file: string;
  baseline: (events: readonly RefEvent[]) => unknown[];
  /** Target events/s per core, reported beside the figure (not asserted). */
  aim: number;
}

const QUERIES: BenchQuery[] = [
  { name: 'q0', file: 'nexmark-q0.ts', baseline: referenceQ0, aim: 400_000 },
  { name: 'q1', file: 'nexmark-q1.ts', baseline: referenceQ1, aim: 400_000 },
  { name: 'q2', file: 'nexmark-q2.ts', baseline: referenceQ2, aim: 400_000 },
  { name: 'q5', file: 'nexmark-q5.ts', baseline: referenceQ5, aim: 75_000 },
  { name: 'q7', file: 'nexmark-q7.ts', baseline: referenceQ7, aim: 25_000 },
];

const WARMUP_EVENTS = 50_000;

interface BenchResult {
  query: BenchQuery;
  runnel: Measurement[];
  baseline: Measurement[];
  /** Per repeat: baseline events/s per core ÷ runnel events/s per core. */
  ratios: number[];
  rows: number;
  failures: string[];
}

function options() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      events: { type: 'string', default: '1000000' },
      repeats: { type: 'string', default: '3' },
      parallelism: { type: 'string', short: 'p', default: '1' },
      queries: { type: 'string' },
      rate: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '42' },
      examples: { type: 'string' },
      source: { type: 'string', default: 'pregenerated' },
      scaling: { type: 'string', default: 'yes' },
    },
  });
  if (values.source !== 'pregenerated' && values.source !== 'generator') throw new Error(`--source must be pregenerated or generator, got ${values.source}`);
  const repeats = Number(values.repeats);
  if (!(Number.isInteger(repeats) && repeats >= 1)) throw new Error(`--repeats must be a positive integer, got ${values.repeats}`);
  return {
    events: Number(values.events),
    repeats,
    parallelism: Number(values.parallelism),
    queries: values.queries === undefined ? QUERIES : QUERIES.filter((q) => (values.queries as string).split(',').includes(q.name)),
    rate: Number(values.rate),
    seed: Number(values.seed),
    examples: values.examples ?? resolve(__dirname, '../../../examples'),
    generatorSource: values.source === 'generator',
    scaling: values.scaling !== 'no',
  };
}

async function runQuery(query: BenchQuery, events: NexmarkEvent[], opts: ReturnType<typeof options>): Promise<BenchResult> {
  const module = await loadJobModule(resolve(opts.examples, query.file));
  // A short untimed warm-up of both, so neither is measured while the JIT is still compiling.
  const warmup = events.slice(0, Math.min(WARMUP_EVENTS, Math.floor(events.length / 10)));
  query.baseline(warmup as unknown as RefEvent[]);
  const generatorArgs = (n: number) => ['--events', String(n), '--rate', String(opts.rate), '--seed', String(opts.seed)];
  await module.main(new BenchEnvironment(opts.generatorSource ? undefined : warmup, opts.parallelism), generatorArgs(warmup.length));

  const result: BenchResult = { query, runnel: [], baseline: [], ratios: [], rows: 0, failures: [] };
  const n = events.length;
  for (let r = 0; r < opts.repeats; r++) {
    const env = new BenchEnvironment(opts.generatorSource ? undefined : events, opts.parallelism);
    const baselineRun = await measure(() => query.baseline(events as unknown as RefEvent[]));
    const runnelRun = await measure(() => module.main(env, generatorArgs(n)));
    result.baseline.push(baselineRun.measurement);
    result.runnel.push(runnelRun.measurement);
    result.ratios.push(perSecond(n, baselineRun.measurement.cpuMs) / Math.max(perSecond(n, runnelRun.measurement.cpuMs), 1));
    const check = checkRows(env.sink.rows, baselineRun.result);
    if (!check.ok) result.failures.push(`repeat ${r + 1}: ${check.detail}`);
    result.rows = env.sink.count;
  }
  return result;
}

export async function main(): Promise<void> {
  const opts = options();
  process.stdout.write(
    `Nexmark bench: ${opts.events.toLocaleString('en')} events (seed ${opts.seed}, ${opts.rate}/s event time), ` +
      `parallelism ${opts.parallelism}, embedded executor, ${opts.repeats} repeats per query.\n` +
      (opts.generatorSource
        ? `Source: the jobs' own Nexmark generator source, so generating events is part of the timed run.\n`
        : `Source: events are generated once before timing and fed to the unmodified example jobs through a ` +
          `pre-generated collection source (the job's Nexmark generator source swapped out).\n`) +
      `Sink: keeps the rows in memory; after each repeat they are compared with the reference's rows (a mismatch fails the bench).\n` +
      `Baseline: the plain JS reference implementation over the same event array, timed in every repeat beside the job.\n\n`,
  );
  const g = await measure(() => generateNexmarkEvents({ events: opts.events, rate: opts.rate, seed: opts.seed }));
  process.stdout.write(`generated in ${(g.measurement.wallMs / 1000).toFixed(1)} s (${formatRate(perSecond(opts.events, g.measurement.wallMs))} events/s, not timed below)\n\n`);
  const results: BenchResult[] = [];
  for (const query of opts.queries) {
    const r = await runQuery(query, g.result, opts);
    results.push(r);
    const walls = r.runnel.map((m) => (m.wallMs / 1000).toFixed(2)).join(', ');
    process.stdout.write(`${query.name}: ${walls} s${r.failures.length ? '  WRONG ANSWER' : ''}\n`);
  }
  const n = opts.events;
  const rows = results.map((r) => {
    const perCore = spread(r.runnel.map((m) => perSecond(n, m.cpuMs)));
    return [
      r.query.name,
      formatRateSpread(perCore),
      spread(r.runnel.map((m) => m.cores)).median.toFixed(2),
      formatRateSpread(spread(r.baseline.map((m) => perSecond(n, m.cpuMs)))),
      formatRatioSpread(spread(r.ratios)),
      formatRate(r.query.aim),
      perCore.min >= r.query.aim ? 'yes' : 'NO',
      String(r.rows),
      r.failures.length === 0 ? `ok (${r.runnel.length}/${r.runnel.length})` : `WRONG (${r.failures.length}/${r.runnel.length})`,
    ];
  });
  process.stdout.write(
    '\n' +
      renderTable(
        ['query', 'runnel ev/s/core median (min–max)', 'cores', 'loop ev/s/core median (min–max)', 'slowdown median (min–max)', 'aim/core', 'met', 'rows', 'answer = reference'],
        rows,
      ) +
      '\n\nev/s/core = events ÷ process CPU seconds. slowdown = loop ev/s/core ÷ runnel ev/s/core, per repeat (both timed in the same repeat).\n',
  );
  const failures = results.flatMap((r) => r.failures.map((f) => `${r.query.name} ${f}`));
  if (opts.scaling) failures.push(...(await runScaling(process.stdout, opts.parallelism)));
  if (failures.length > 0) {
    process.stderr.write(`\nbench FAILED: wrong answers\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
