import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StreamExecutionEnvironment, WatermarkStrategy } from '../index';
import { JsonLinesFileSource } from './json-lines-file.source';
import { JsonLinesFileSink } from './json-lines-file.sink';

describe('JSON Lines file source and sink', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runnel-jsonl-'));
    for (let f = 0; f < 3; f++) {
      const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ f, i, text: `línea ${i}` }));
      fs.writeFileSync(path.join(dir, `in-${f}.jsonl`), lines.join('\n') + (f === 2 ? '' : '\n'));
    }
    fs.writeFileSync(path.join(dir, 'other.txt'), 'not json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a glob split across parallel instances and writes part files per subtask', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2, { batchSize: 16 });
    env
      .fromSource(new JsonLinesFileSource<{ f: number; i: number }>(path.join(dir, 'in-*.jsonl')), WatermarkStrategy.noWatermarks(), 'files')
      .map((r) => ({ ...r, doubled: r.i * 2 }))
      .sinkTo(new JsonLinesFileSink(path.join(dir, 'out')));
    await env.execute();
    const parts = fs.readdirSync(path.join(dir, 'out')).sort();
    // Everything is committed at the end of input: one part file per subtask, nothing hidden left.
    expect(parts).toEqual(['part-0-0.jsonl', 'part-1-0.jsonl']);
    const rows = parts.flatMap((p) => fs.readFileSync(path.join(dir, 'out', p), 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
    expect(rows).toHaveLength(120);
    expect(new Set(rows.map((r) => `${r.f}/${r.i}/${r.doubled}`)).size).toBe(120);
    expect(rows.every((r) => r.doubled === r.i * 2)).toBe(true);
  });

  it('writes a single file at parallelism 1 when the path ends in .jsonl', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    env.fromSource(new JsonLinesFileSource(dir), WatermarkStrategy.noWatermarks()).sinkTo(new JsonLinesFileSink(path.join(dir, 'all.jsonl')));
    await env.execute();
    expect(fs.readFileSync(path.join(dir, 'all.jsonl'), 'utf8').trim().split('\n')).toHaveLength(120);
  });

  it('keeps its position as state: a restored reader continues after the last emitted record', () => {
    const source = new JsonLinesFileSource<{ f: number; i: number }>(dir, { chunkSize: 50 });
    const reader = source.createReader({ subtaskIndex: 0, parallelism: 1 });
    const first = [...(reader.pollBatch(30) as { f: number; i: number }[]), ...(reader.pollBatch(25) as { f: number; i: number }[])];
    const pos = JSON.parse(JSON.stringify(reader.position()));
    const rest: { f: number; i: number }[] = [];
    const again = source.createReader({ subtaskIndex: 0, parallelism: 1 });
    again.restore(pos);
    for (let b = again.pollBatch(7); b !== null; b = again.pollBatch(7)) rest.push(...(b as { f: number; i: number }[]));
    const all = [...first, ...rest].map((r) => `${r.f}/${r.i}`);
    const expected: string[] = [];
    for (let f = 0; f < 3; f++) for (let i = 0; i < 40; i++) expected.push(`${f}/${i}`);
    expect(all).toEqual(expected);
  });
});
