/**
 * Turns one latency run's logs (source-<i>.json, sink-<i>.json in its output directory) into a
 * histogram, the achieved rate and an answer check against the reference.
 *
 * q1 latency: per sampled record, sink writer wall time − wall time of the source poll that
 * emitted it (recorded by the sinks). q5 latency: per result row, sink writer wall time − wall
 * time the watermark that closed its window left the sources, for windows closed by a periodic
 * watermark (not by the end of input). That watermark is the first one
 * >= windowEnd − 1 (both the window and the per-window leaders fire on it); downstream the
 * watermark is the minimum over the source subtasks, so the window closed when the last subtask
 * emitted one that high: the maximum over the subtasks of each one's first such emission.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { checkRows } from '../bench.check';
import { CHECKSUM_MODULUS, newLatencyHistogram, type SinkLog, type WindowRow } from './latency.sink';
import type { SourceLog } from './latency.source';

export interface Q1Expected {
  readonly rows: number;
  readonly checksum: number;
}

export interface RunReport {
  readonly events: number;
  /** Events ÷ (last sink write − first source poll), events per wall second. */
  readonly rate: number;
  readonly wallMs: number;
  readonly histogram: hdr.Histogram;
  /** q5: result rows whose logged closing watermark came after the row (see latency.source.ts). */
  readonly early: number;
  /** q5: result rows closed by the end of input (checked, not in the histogram). */
  readonly atEnd: number;
  /** Empty when the answer equals the reference. */
  readonly failure: string;
}

function readLogs<T>(dir: string, prefix: string): T[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as T);
}

/**
 * Wall µs at which the watermark first reached `atLeast` on every source subtask, and whether it
 * took the end of input (the MAX watermark) on one of them.
 */
export function closingTime(sources: readonly SourceLog[], atLeast: number): { at: number; byEnd: boolean } {
  let at = 0;
  let byEnd = false;
  for (const s of sources) {
    const hit = s.watermarks.find(([wm]) => wm === null || wm >= atLeast);
    if (hit === undefined) return { at: Number.NaN, byEnd: true };
    if (hit[0] === null) byEnd = true;
    if (hit[1] > at) at = hit[1];
  }
  return { at, byEnd };
}

/**
 * Latencies of the rows whose window a periodic watermark closed. Rows closed by the end of input
 * arrive together in the final flush and measure the drain, not the steady state: only counted.
 */
export function windowLatencies(sources: readonly SourceLog[], results: readonly [WindowRow, number][]): { histogram: hdr.Histogram; early: number; atEnd: number } {
  const histogram = newLatencyHistogram();
  const closed = new Map<number, { at: number; byEnd: boolean }>();
  let early = 0;
  let atEnd = 0;
  for (const [row, arrived] of results) {
    let close = closed.get(row.windowEnd);
    if (close === undefined) closed.set(row.windowEnd, (close = closingTime(sources, row.windowEnd - 1)));
    if (close.byEnd) {
      atEnd++;
      continue;
    }
    const us = arrived - close.at;
    if (us < 0) early++;
    histogram.recordValue(Math.max(1, us));
  }
  return { histogram, early, atEnd };
}

export function reportRun(dir: string, expectedEvents: number, expected: Q1Expected | WindowRow[]): RunReport {
  const sources = readLogs<SourceLog>(dir, 'source-');
  const sinks = readLogs<SinkLog>(dir, 'sink-');
  const failures: string[] = [];
  const events = sources.reduce((n, s) => n + s.events, 0);
  if (events !== expectedEvents) failures.push(`sources emitted ${events} events, expected ${expectedEvents} (a restart, or a missing log)`);
  const start = Math.min(...sources.map((s) => s.firstPollUs));
  const end = Math.max(...sinks.map((s) => s.lastWriteUs), ...sources.map((s) => s.endUs));
  const wallMs = (end - start) / 1000;
  let histogram = newLatencyHistogram();
  let early = 0;
  let atEnd = 0;
  if (Array.isArray(expected)) {
    const results = sinks.flatMap((s) => s.results ?? []);
    const check = checkRows(
      results.map(([r]) => r),
      expected,
    );
    if (!check.ok) failures.push(check.detail);
    ({ histogram, early, atEnd } = windowLatencies(sources, results));
  } else {
    const rows = sinks.reduce((n, s) => n + s.rows, 0);
    const checksum = sinks.reduce((n, s) => (n + s.checksum) % CHECKSUM_MODULUS, 0);
    if (rows !== expected.rows || checksum !== expected.checksum) failures.push(`${rows} rows (checksum ${checksum}), reference ${expected.rows} (checksum ${expected.checksum})`);
    for (const s of sinks) if (s.histogram) histogram.add(hdr.decodeFromCompressedBase64(s.histogram, 32, false));
  }
  if (sinks.length === 0) failures.push('no sink log');
  return { events, rate: wallMs > 0 ? (events * 1000) / wallMs : 0, wallMs, histogram, early, atEnd, failure: failures.join('; ') };
}
