/** The example jobs' file source and JSON Lines sink (examples/shared), driven directly. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonLinesOutput } from './reference';

// Required by path: examples/ holds job artifacts (an application), not a library to import from.
const EXAMPLES = join(__dirname, '../../examples');
type LineFileModule = typeof import('../../examples/shared/line-file.source');
type SinkModule = typeof import('../../examples/shared/json-lines.sink');
type LineFilePosition = import('../../examples/shared/line-file.source').LineFilePosition;
const { LineFileSource } = require(join(EXAMPLES, 'shared/line-file.source')) as LineFileModule;
const { isDirectoryOutput, JsonLinesSink } = require(join(EXAMPLES, 'shared/json-lines.sink')) as SinkModule;

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'runnel-example-io-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function drain<T>(reader: { pollBatch(max: number): readonly T[] | null | Promise<readonly T[] | null> }, max: number): T[] {
  const out: T[] = [];
  for (let b = reader.pollBatch(max) as readonly T[] | null; b !== null; b = reader.pollBatch(max) as readonly T[] | null) out.push(...b);
  return out;
}

describe('LineFileSource', () => {
  // Long lines force several chunk reads; blank, CRLF, multi-byte and unterminated lines are edge cases.
  const lines = Array.from({ length: 5000 }, (_, i) => (i % 97 === 0 ? '' : `línea ${i} ${'x'.repeat(i % 300)}`));
  const text = lines.map((l, i) => (i % 7 === 0 ? l + '\r' : l)).join('\n'); // no final newline
  const expected = lines.filter((l) => l.length > 0);

  it('splits lines round-robin across readers, each in file order, together the whole file', () => {
    const file = join(dir, 'lines.txt');
    writeFileSync(file, text);
    const source = new LineFileSource(file, (l) => l);
    const perReader = [0, 1, 2].map((i) => drain(source.createReader({ subtaskIndex: i, parallelism: 3 }), 64));
    for (let i = 0; i < 3; i++) expect(perReader[i]).toEqual(lines.filter((l, k) => k % 3 === i && l.length > 0));
    expect(perReader.flat().sort()).toEqual([...expected].sort());
  });

  it('restores from a position and continues after the last emitted line', () => {
    const file = join(dir, 'restore.txt');
    writeFileSync(file, text);
    const source = new LineFileSource(file, (l) => l);
    const reader = source.createReader({ subtaskIndex: 1, parallelism: 2 });
    const first = [...(reader.pollBatch(100) as string[]), ...(reader.pollBatch(33) as string[])];
    const position = JSON.parse(JSON.stringify(reader.position())) as LineFilePosition;
    const rest = drain(reader, 500);
    const restored = source.createReader({ subtaskIndex: 1, parallelism: 2 });
    restored.restore(position);
    expect(drain(restored, 77)).toEqual(rest);
    expect([...first, ...rest]).toEqual(lines.filter((l, k) => k % 2 === 1 && l.length > 0));
  });

  it('parses each line with the given function', () => {
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, '{"a":1}\n\n{"a":2}\n');
    expect(drain(new LineFileSource<{ a: number }>(file, JSON.parse).createReader({ subtaskIndex: 0, parallelism: 1 }), 10)).toEqual([{ a: 1 }, { a: 2 }]);
  });
});

describe('JsonLinesSink', () => {
  it('writes one file, or part files in a directory when the path ends with a slash', async () => {
    expect(isDirectoryOutput('out/')).toBe(true);
    expect(isDirectoryOutput('out.jsonl')).toBe(false);
    expect(isDirectoryOutput('out')).toBe(true);
    const file = join(dir, 'single.jsonl');
    const writer = await new JsonLinesSink<{ n: number }>(file).createWriter({ subtaskIndex: 0, parallelism: 1 });
    await writer.write([{ n: 1 }, { n: 2 }], [0, 0]);
    await writer.finish?.();
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n');

    const out = join(dir, 'parts') + '/';
    const sink = new JsonLinesSink<{ n: number }>(out);
    for (const subtaskIndex of [0, 1]) {
      const w = await sink.createWriter({ subtaskIndex, parallelism: 2 });
      await w.write([{ n: subtaskIndex }], [0]);
      await w.finish?.();
    }
    expect(readJsonLinesOutput(out)).toEqual([{ n: 0 }, { n: 1 }]);
  });
});
