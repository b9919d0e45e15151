/**
 * Source positions can be redistributed to another parallelism: whatever the old readers had not
 * yet emitted is read exactly once by the new readers.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { CollectionSource, SequenceSource } from './collection.source';
import { JsonLinesFileSource } from './json-lines-file.source';
import type { Source } from './source.types';

async function drain<T>(reader: { pollBatch(max: number): readonly T[] | null | Promise<readonly T[] | null> }, max: number, limit = Infinity): Promise<T[]> {
  const out: T[] = [];
  while (out.length < limit) {
    const b = await reader.pollBatch(Math.min(max, limit - out.length));
    if (b === null) break;
    out.push(...b);
  }
  return out;
}

async function readRescaled<T, P>(source: Source<T, P>, oldP: number, newP: number, consumed: number[], batch: number): Promise<T[]> {
  const readers = Array.from({ length: oldP }, (_, i) => source.createReader({ subtaskIndex: i, parallelism: oldP }));
  const first: T[] = [];
  for (let i = 0; i < oldP; i++) first.push(...(await drain(readers[i], batch, consumed[i])));
  const positions = JSON.parse(JSON.stringify(readers.map((r) => r.position()))) as P[];
  const redistributed = source.redistributePositions!(positions, newP);
  const rest: T[] = [];
  for (let j = 0; j < newP; j++) {
    const r = source.createReader({ subtaskIndex: j, parallelism: newP });
    r.restore(redistributed[j]);
    rest.push(...(await drain(r, batch)));
  }
  return [...first, ...rest];
}

describe('source rescaling', () => {
  it('sequence and collection sources: every element exactly once after rescaling', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 5, maxLength: 5 }),
        fc.integer({ min: 1, max: 17 }),
        async (n, oldP, newP, consumed, batch) => {
          const seq = await readRescaled(new SequenceSource(10, 10 + n - 1), oldP, newP, consumed, batch);
          expect(seq.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => 10 + i));
          const items = Array.from({ length: n }, (_, i) => `x${i}`);
          const col = await readRescaled(new CollectionSource(items), oldP, newP, consumed, batch);
          expect(col.sort()).toEqual([...items].sort());
        },
      ),
      { numRuns: 60 },
    );
  });

  it('JSON Lines files: partly read files move whole, resuming at their offsets', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runnel-rescale-'));
    try {
      const expected: string[] = [];
      for (let f = 0; f < 5; f++) {
        const lines = Array.from({ length: 23 }, (_, i) => JSON.stringify({ id: `${f}/${i}` }));
        expected.push(...lines.map((l) => JSON.parse(l).id));
        fs.writeFileSync(path.join(dir, `f${f}.jsonl`), lines.join('\n') + '\n');
      }
      for (const [oldP, newP, consumed] of [
        [2, 3, [10, 30]],
        [3, 1, [0, 23, 40]],
        [2, 4, [46, 5]],
      ] as [number, number, number[]][]) {
        const got = await readRescaled(new JsonLinesFileSource<{ id: string }>(dir, { chunkSize: 40 }), oldP, newP, consumed, 4);
        expect(got.map((r) => r.id).sort()).toEqual([...expected].sort());
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
