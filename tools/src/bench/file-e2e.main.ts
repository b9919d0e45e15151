/**
 * `npm run bench:file`: q5 end to end from a file — Nexmark events as JSON Lines on disk, results
 * written as JSON Lines — by the unmodified example job on the embedded executor, beside
 * hand-written streaming code doing the same (read lines, JSON.parse, count bids per auction and
 * sliding window, write the leaders). Both are timed in each repeat (process CPU time); the job's
 * output file must equal the hand-written one or the bench exits non-zero.
 * Options: --events N (default 1 000 000), --repeats R (default 3), -p N (default 1).
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { generateNexmarkEvents, loadJobModule, StreamExecutionEnvironment } from '@runnel/dataflow';
import { NexmarkQueryParams, readJsonLinesOutput } from '../reference';
import { checkRows } from './bench.check';
import { measure, perSecond } from './bench.measure';
import { formatRateSpread, formatRatioSpread, spread } from './bench.stats';
import { renderTable } from './bench.table';

/** Hand-written streaming q5: what someone would write without a framework. */
async function handWrittenQ5(input: string, output: string): Promise<void> {
  const size = NexmarkQueryParams.q5WindowMs;
  const slide = NexmarkQueryParams.q5SlideMs;
  const counts = new Map<number, Map<number, number>>();
  const lines = createInterface({ input: createReadStream(input), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length === 0) continue;
    const e = JSON.parse(line) as { type: string; auction: number; dateTime: number };
    if (e.type !== 'bid') continue;
    const t = e.dateTime;
    for (let s = t - (((t % slide) + slide) % slide); s > t - size; s -= slide) {
      let perAuction = counts.get(s);
      if (perAuction === undefined) counts.set(s, (perAuction = new Map()));
      perAuction.set(e.auction, (perAuction.get(e.auction) ?? 0) + 1);
    }
  }
  const out: string[] = [];
  for (const [windowStart, perAuction] of counts) {
    let max = 0;
    for (const c of perAuction.values()) if (c > max) max = c;
    for (const [auction, count] of perAuction) if (count === max) out.push(JSON.stringify({ windowStart, windowEnd: windowStart + size, auction, count }));
  }
  writeFileSync(output, out.join('\n') + '\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { events: { type: 'string', default: '1000000' }, repeats: { type: 'string', default: '3' }, parallelism: { type: 'string', short: 'p', default: '1' } },
  });
  const n = Number(values.events);
  const repeats = Number(values.repeats);
  const parallelism = Number(values.parallelism);
  const dir = mkdtempSync(join(tmpdir(), 'runnel-file-bench-'));
  try {
    const input = join(dir, 'events.jsonl');
    const events = generateNexmarkEvents({ events: n, rate: 10_000, seed: 42 });
    writeFileSync(input, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    process.stdout.write(`q5 from a file: ${n.toLocaleString('en')} Nexmark events as JSON Lines, parallelism ${parallelism}, ${repeats} repeats\n`);
    const module = await loadJobModule(resolve(__dirname, '../../../examples/nexmark-q5.ts'));
    const runnel: number[] = [];
    const hand: number[] = [];
    const ratios: number[] = [];
    const failures: string[] = [];
    for (let r = 0; r < repeats; r++) {
      const handOut = join(dir, `hand-${r}.jsonl`);
      const jobOut = join(dir, `job-${r}.jsonl`);
      const h = await measure(() => handWrittenQ5(input, handOut));
      const j = await measure(() => module.main(new StreamExecutionEnvironment('local', parallelism), ['--input', input, '--output', jobOut]));
      runnel.push(perSecond(n, j.measurement.cpuMs));
      hand.push(perSecond(n, h.measurement.cpuMs));
      ratios.push(perSecond(n, h.measurement.cpuMs) / Math.max(perSecond(n, j.measurement.cpuMs), 1));
      const check = checkRows(readJsonLinesOutput(jobOut), readJsonLinesOutput(handOut));
      if (!check.ok) failures.push(`repeat ${r + 1}: ${check.detail}`);
      process.stdout.write(`  repeat ${r + 1}: job ${(j.measurement.wallMs / 1000).toFixed(2)} s, hand-written ${(h.measurement.wallMs / 1000).toFixed(2)} s${check.ok ? '' : '  WRONG ANSWER'}\n`);
    }
    process.stdout.write(
      '\n' +
        renderTable(
          ['q5 from a file', 'job ev/s/core median (min–max)', 'hand-written ev/s/core median (min–max)', 'slowdown median (min–max)', 'answer = hand-written'],
          [['JSON Lines in and out', formatRateSpread(spread(runnel)), formatRateSpread(spread(hand)), formatRatioSpread(spread(ratios)), failures.length ? `WRONG (${failures.length}/${repeats})` : `ok (${repeats}/${repeats})`]],
        ) +
        '\n',
    );
    if (failures.length > 0) {
      process.stderr.write(`bench FAILED: wrong answers\n${failures.join('\n')}\n`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
