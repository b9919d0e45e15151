import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { closingTime, reportRun, windowLatencies } from './latency.report';
import { addQ1Checksum, newLatencyHistogram, type SinkLog } from './latency.sink';
import type { SourceLog } from './latency.source';

const source = (subtask: number, watermarks: [number | null, number][], events = 10): SourceLog => ({ subtask, events, firstPollUs: 1_000, endUs: 90_000, watermarks });

describe('latency report', () => {
  it('a window closes when the last source subtask has emitted a watermark at or past its end - 1', () => {
    const sources = [
      source(0, [
        [999, 10_000],
        [1_999, 20_000],
        [null, 90_000],
      ]),
      source(1, [
        [1_500, 15_000],
        [2_500, 30_000],
        [null, 80_000],
      ]),
    ];
    expect(closingTime(sources, 999)).toEqual({ at: 15_000, byEnd: false });
    expect(closingTime(sources, 1_999)).toEqual({ at: 30_000, byEnd: false });
    // Beyond every periodic watermark: closed by the end of input (MAX), on the later subtask.
    expect(closingTime(sources, 5_000)).toEqual({ at: 90_000, byEnd: true });
    const { histogram, early, atEnd } = windowLatencies(sources, [
      [{ windowStart: 0, windowEnd: 1_000, auction: 1, count: 2 }, 16_000],
      [{ windowStart: 1_000, windowEnd: 2_000, auction: 1, count: 2 }, 29_000],
      [{ windowStart: 4_000, windowEnd: 6_000, auction: 1, count: 2 }, 95_000],
    ]);
    expect(atEnd).toBe(1); // checked, but the final flush is not a steady-state latency
    expect(histogram.totalCount).toBe(2);
    expect(histogram.maxValue).toBe(1_000);
    expect(early).toBe(1); // 29 000 < 30 000: recorded as 1 µs and counted
  });

  it('fails a q1 run whose count or checksum differs from the reference, and adds the sinks’ histograms', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latency-report-'));
    try {
      writeFileSync(join(dir, 'source-0.json'), JSON.stringify(source(0, [[null, 90_000]], 4)));
      const h = newLatencyHistogram();
      h.recordValue(500);
      h.recordValue(2_000);
      const sink: SinkLog = { subtask: 0, rows: 3, checksum: 42, histogram: hdr.encodeIntoCompressedBase64(h), lastWriteUs: 50_000 };
      writeFileSync(join(dir, 'sink-0.json'), JSON.stringify(sink));
      const ok = reportRun(dir, 4, { rows: 3, checksum: 42 });
      expect(ok.failure).toBe('');
      expect(ok.histogram.totalCount).toBe(2);
      expect(ok.rate).toBeCloseTo(4 / 0.089, 3);
      expect(reportRun(dir, 4, { rows: 3, checksum: 43 }).failure).toContain('reference 3 (checksum 43)');
      expect(reportRun(dir, 5, { rows: 3, checksum: 42 }).failure).toContain('sources emitted 4 events, expected 5');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the q1 checksum does not depend on the order of the rows, also past 2^53 in total', () => {
    const rows = Array.from({ length: 3_000 }, (_, i) => ({ auction: 1_000 + i, bidder: i % 7, price: 90_000_000 + i * 1.001 }));
    const forward = rows.reduce(addQ1Checksum, 0);
    expect([...rows].reverse().reduce(addQ1Checksum, 0)).toBe(forward);
    const split = (addQ1Checksum(rows.slice(0, 1_000).reduce(addQ1Checksum, 0), { auction: 0, bidder: 0, price: 0 }) + rows.slice(1_000).reduce(addQ1Checksum, 0)) % 1_000_000_007;
    expect(split).toBe(forward); // two sink subtasks' sums added as the report does
  });
});
