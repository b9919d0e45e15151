/**
 * `npm run bench`: Nexmark q0, q1, q2, q5, q7 on the embedded executor against a plain JS loop
 * (the reference implementation) over the same pre-generated events, measured in the same run.
 * Reports events/s, cores used (process CPU time / wall time), events/s per core and the ratio
 * to the baseline. Options: --events N (default 1 000 000), -p N (default 1), --queries q0,q5,
 * --rate R (event-time rate, default 10 000/s), --seed S, --source pregenerated|generator
 * (default pregenerated: events generated before timing; generator: the job's own Nexmark source
 * runs inside the timed part, so generation is included).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateNexmarkEvents, loadJobModule, type NexmarkEvent } from '@runnel/dataflow';
import { referenceQ0, referenceQ1, referenceQ2, referenceQ5, referenceQ7, type RefEvent } from '../reference';
import { BenchEnvironment } from './bench.environment';
import { measure, perSecond, type Measurement } from './bench.measure';
import { formatRate, renderTable } from './bench.table';

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
  runnel: Measurement;
  baseline: Measurement;
  runnelRows: number;
  baselineRows: number;
}

function options() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      events: { type: 'string', default: '1000000' },
      parallelism: { type: 'string', short: 'p', default: '1' },
      queries: { type: 'string' },
      rate: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '42' },
      examples: { type: 'string' },
      source: { type: 'string', default: 'pregenerated' },
    },
  });
  if (values.source !== 'pregenerated' && values.source !== 'generator') throw new Error(`--source must be pregenerated or generator, got ${values.source}`);
  return {
    events: Number(values.events),
    parallelism: Number(values.parallelism),
    queries: values.queries === undefined ? QUERIES : QUERIES.filter((q) => (values.queries as string).split(',').includes(q.name)),
    rate: Number(values.rate),
    seed: Number(values.seed),
    examples: values.examples ?? resolve(__dirname, '../../../examples'),
    generatorSource: values.source === 'generator',
  };
}

async function runQuery(query: BenchQuery, events: NexmarkEvent[], opts: ReturnType<typeof options>): Promise<BenchResult> {
  const module = await loadJobModule(resolve(opts.examples, query.file));
  // A short untimed warm-up of both, so neither is measured while the JIT is still compiling.
  const warmup = events.slice(0, Math.min(WARMUP_EVENTS, Math.floor(events.length / 10)));
  query.baseline(warmup as unknown as RefEvent[]);
  const generatorArgs = (n: number) => ['--events', String(n), '--rate', String(opts.rate), '--seed', String(opts.seed)];
  await module.main(new BenchEnvironment(opts.generatorSource ? undefined : warmup, opts.parallelism), generatorArgs(warmup.length));

  const env = new BenchEnvironment(opts.generatorSource ? undefined : events, opts.parallelism);
  const baselineRun = await measure(() => query.baseline(events as unknown as RefEvent[]));
  const runnelRun = await measure(() => module.main(env, generatorArgs(events.length)));
  return {
    query,
    runnel: runnelRun.measurement,
    baseline: baselineRun.measurement,
    runnelRows: env.sink.count,
    baselineRows: baselineRun.result.length,
  };
}

export async function main(): Promise<void> {
  const opts = options();
  process.stdout.write(
    `Nexmark bench: ${opts.events.toLocaleString('en')} events (seed ${opts.seed}, ${opts.rate}/s event time), ` +
      `parallelism ${opts.parallelism}, embedded executor.\n` +
      (opts.generatorSource
        ? `Source: the jobs' own Nexmark generator source, so generating events is part of the timed run.\n`
        : `Source: events are generated once before timing and fed to the unmodified example jobs through a ` +
          `pre-generated collection source (the job's Nexmark generator source swapped out).\n`) +
      `Sink: a counting sink (no output formatting).\n` +
      `Baseline: the plain JS reference implementation over the same event array.\n\n`,
  );
  const g = await measure(() => generateNexmarkEvents({ events: opts.events, rate: opts.rate, seed: opts.seed }));
  process.stdout.write(`generated in ${(g.measurement.wallMs / 1000).toFixed(1)} s (${formatRate(perSecond(opts.events, g.measurement.wallMs))} events/s, not timed below)\n\n`);
  const results: BenchResult[] = [];
  for (const query of opts.queries) {
    const r = await runQuery(query, g.result, opts);
    results.push(r);
    process.stdout.write(`${query.name}: ${(r.runnel.wallMs / 1000).toFixed(2)} s\n`);
  }
  const rows = results.map((r) => {
    const n = opts.events;
    const runnelPerCore = perSecond(n, r.runnel.cpuMs);
    const baselinePerCore = perSecond(n, r.baseline.cpuMs);
    return [
      r.query.name,
      formatRate(perSecond(n, r.runnel.wallMs)),
      r.runnel.cores.toFixed(2),
      formatRate(runnelPerCore),
      formatRate(r.query.aim),
      runnelPerCore >= r.query.aim ? 'yes' : 'NO',
      formatRate(perSecond(n, r.baseline.wallMs)),
      formatRate(baselinePerCore),
      (baselinePerCore / Math.max(runnelPerCore, 1)).toFixed(1) + 'x',
      r.runnelRows === r.baselineRows ? String(r.runnelRows) : `${r.runnelRows} != ${r.baselineRows}`,
    ];
  });
  process.stdout.write(
    '\n' +
      renderTable(
        ['query', 'runnel ev/s', 'cores', 'ev/s/core', 'aim/core', 'met', 'baseline ev/s', 'base/core', 'slowdown', 'rows (runnel = baseline)'],
        rows,
      ) +
      '\n\nslowdown = baseline events/s per core ÷ runnel events/s per core.\n',
  );
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
