import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNexmarkEvents, type NexmarkEvent } from '@runnel/dataflow';
import { LatencySource, type SourceLog, type Stamped } from './latency.source';

describe('latency bench source', () => {
  it('emits the generator’s events, stamps every n-th, and logs the watermark after each poll that advances it (interval 0)', () => {
    const output = mkdtempSync(join(tmpdir(), 'latency-source-'));
    try {
      const source = new LatencySource({ events: 1_000, rate: 10_000, seed: 42, wallRate: 0, sampleEvery: 4, maxOutOfOrdernessMs: 4_000, autoWatermarkIntervalMs: 0, output });
      const reader = source.createReader({ subtaskIndex: 0, parallelism: 1 });
      const got: NexmarkEvent[] = [];
      const expectedWatermarks: number[] = [];
      let maxTs = -Infinity;
      for (let batch = reader.pollBatch(100); batch !== null; batch = reader.pollBatch(100)) {
        for (const e of batch as NexmarkEvent[]) {
          got.push(e);
          maxTs = Math.max(maxTs, e.dateTime);
        }
        const wm = maxTs - 4_000 - 1;
        if (expectedWatermarks.length === 0 || wm > expectedWatermarks[expectedWatermarks.length - 1]) expectedWatermarks.push(wm);
      }
      const stripped = got.map((e) => {
        const { t: _t, ...rest } = e as Stamped;
        return rest;
      });
      expect(stripped).toEqual(generateNexmarkEvents({ events: 1_000, rate: 10_000, seed: 42 }));
      expect(got.filter((e) => (e as Stamped).t > 0).length).toBe(250);
      const log = JSON.parse(readFileSync(join(output, 'source-0.json'), 'utf8')) as SourceLog;
      expect(log.events).toBe(1_000);
      expect(log.watermarks.map(([wm]) => wm)).toEqual([...expectedWatermarks, null]);
      const times = log.watermarks.map(([, at]) => at);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    } finally {
      rmSync(output, { recursive: true, force: true });
    }
  });

  it('throttled: a poll ahead of the wall-clock rate gets an empty batch', () => {
    const source = new LatencySource({ events: 1_000, rate: 10_000, seed: 42, wallRate: 0.001, sampleEvery: 0, maxOutOfOrdernessMs: 0, autoWatermarkIntervalMs: 0, output: tmpdir() });
    const reader = source.createReader({ subtaskIndex: 0, parallelism: 1 });
    expect((reader.pollBatch(100) as NexmarkEvent[]).length).toBe(1); // one event is due at once
    expect(reader.pollBatch(100)).toEqual([]); // the next one is due 1000 s later
  });
});
