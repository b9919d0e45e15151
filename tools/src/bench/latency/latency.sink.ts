/**
 * The latency bench's sink: records at the sink writer, with the writer's wall clock.
 * - q1 ('stamped'): for each row with a source stamp t > 0, now − t into an HdrHistogram (µs);
 *   also the row count and an integer checksum, so the bench can check the answer.
 * - q5 ('windows'): every result row with the wall time it reached the writer (results are few,
 *   so all of them are kept and the bench checks them row by row against the reference; the
 *   latency needs the sources' watermark logs, so the bench computes it from both files).
 * Written as JSON to `<output>/sink-<subtask>.json` at the end of input. Not transactional:
 * a bench run that restarts is not a measurement (the bench fails it on the counts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import type { Sink, SinkWriter, SinkWriterContext } from '@runnel/dataflow';
import { wallMicros } from './wall-clock';

export interface StampedRow {
  auction: number;
  bidder: number;
  price: number;
  dateTime: number;
  /** Wall µs at the source (0 = not sampled). */
  t: number;
}

export interface WindowRow {
  windowStart: number;
  windowEnd: number;
  auction: number;
  count: number;
}

export interface SinkLog {
  readonly subtask: number;
  readonly rows: number;
  /** addQ1Checksum over the q1 rows. */
  readonly checksum: number;
  /** q1: compressed HdrHistogram of µs from source stamp to sink writer. */
  readonly histogram?: string;
  /** q5: [row, wall µs at the writer]. */
  readonly results?: [WindowRow, number][];
  readonly lastWriteUs: number;
}

/** One HdrHistogram layout for every writer and the bench, so they can be added. */
export function newLatencyHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

/**
 * Σ (auction + bidder + round(price × 1000)) modulo a prime: order-free and exact (a plain sum of
 * 2M rows passes 2^53 and then depends on the order of the additions).
 */
export const CHECKSUM_MODULUS = 1_000_000_007;
export function addQ1Checksum(sum: number, row: { auction: number; bidder: number; price: number }): number {
  return (sum + row.auction + row.bidder + Math.round(row.price * 1000)) % CHECKSUM_MODULUS;
}

export class LatencySink<T> implements Sink<T> {
  constructor(
    private readonly kind: 'stamped' | 'windows',
    private readonly output: string,
  ) {}

  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    const histogram = this.kind === 'stamped' ? newLatencyHistogram() : undefined;
    const results: [WindowRow, number][] = [];
    let rows = 0;
    let checksum = 0;
    let lastWriteUs = 0;
    return {
      write: (values) => {
        const now = wallMicros();
        lastWriteUs = now;
        rows += values.length;
        if (histogram) {
          for (let i = 0; i < values.length; i++) {
            const r = values[i] as unknown as StampedRow;
            checksum = addQ1Checksum(checksum, r);
            if (r.t > 0) histogram.recordValue(Math.max(1, now - r.t));
          }
        } else {
          for (let i = 0; i < values.length; i++) results.push([values[i] as unknown as WindowRow, now]);
        }
      },
      finish: () => {
        const log: SinkLog = {
          subtask: ctx.subtaskIndex,
          rows,
          checksum,
          ...(histogram ? { histogram: hdr.encodeIntoCompressedBase64(histogram) } : { results }),
          lastWriteUs,
        };
        mkdirSync(this.output, { recursive: true });
        writeFileSync(join(this.output, `sink-${ctx.subtaskIndex}.json`), JSON.stringify(log));
      },
    };
  }

  describe(): Record<string, unknown> {
    return { type: 'latency-bench-sink', kind: this.kind };
  }
}
