/**
 * Runs every example job on the embedded executor at parallelism 1 and 4 over generated Nexmark
 * events and compares its JSON Lines output with the independent reference implementation.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateNexmarkEvents, loadJobModule, StreamExecutionEnvironment, type JobModule } from '@runnel/dataflow';
import {
  compareRows,
  readJsonLinesOutput,
  referenceQ0,
  referenceQ1,
  referenceQ11,
  referenceQ2,
  referenceQ3,
  referenceQ4,
  referenceQ5,
  referenceQ7,
  referenceQ8,
  referenceWordCount,
  type RefEvent,
} from './reference';

const EXAMPLES = resolve(__dirname, '../../examples');
// Each case bundles and runs a job (well under a second when idle); jest's 5 s default times out
// on a loaded 2-core machine, so the deadline is generous (a hang still fails).
jest.setTimeout(60_000);
// 30 000 events at 500 events/s span 60 s of event time: six 10 s windows, joins with partners.
const GENERATOR = { events: 30_000, rate: 500, seed: 11 };
const GENERATOR_ARGS = ['--events', String(GENERATOR.events), '--rate', String(GENERATOR.rate), '--seed', String(GENERATOR.seed)];

const events = generateNexmarkEvents(GENERATOR) as unknown as RefEvent[];

const QUERIES: [file: string, reference: (events: readonly RefEvent[]) => unknown[]][] = [
  ['nexmark-q0.ts', referenceQ0],
  ['nexmark-q1.ts', referenceQ1],
  ['nexmark-q2.ts', referenceQ2],
  ['nexmark-q3.ts', referenceQ3],
  ['nexmark-q4.ts', referenceQ4],
  ['nexmark-q5.ts', referenceQ5],
  ['nexmark-q7.ts', referenceQ7],
  ['nexmark-q8.ts', referenceQ8],
  ['nexmark-q11.ts', referenceQ11],
];

let workDir: string;
const modules = new Map<string, JobModule>();

async function load(file: string): Promise<JobModule> {
  let module = modules.get(file);
  if (module === undefined) modules.set(file, (module = await loadJobModule(join(EXAMPLES, file))));
  return module;
}

async function runExample(file: string, parallelism: number, args: string[], output: string): Promise<unknown[]> {
  const module = await load(file);
  await module.main(StreamExecutionEnvironment.createLocalEnvironment(parallelism), [...args, '--output', output]);
  return readJsonLinesOutput(output);
}

function expectSameRows(actual: unknown[], expected: unknown[]): void {
  const diff = compareRows(actual, expected);
  // Show a few differing rows rather than two arrays of thousands.
  expect({ missing: diff.missing.slice(0, 5), unexpected: diff.unexpected.slice(0, 5), counts: [actual.length, expected.length] }).toEqual({
    missing: [],
    unexpected: [],
    counts: [expected.length, expected.length],
  });
}

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'runnel-examples-'));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('example jobs match the reference implementations', () => {
  it.each(QUERIES)('%s has non-trivial expected output', (_file, reference) => {
    expect(reference(events).length).toBeGreaterThan(2);
  });

  describe.each([1, 4])('at parallelism %i', (parallelism) => {
    it.each(QUERIES)('%s', async (file, reference) => {
      // Parallel runs write a directory of part files, sequential ones a single file.
      const output = join(workDir, `${file}-p${parallelism}` + (parallelism > 1 ? '/' : '.jsonl'));
      expectSameRows(await runExample(file, parallelism, GENERATOR_ARGS, output), reference(events));
    });
  });

  it('reads events from a JSON Lines --input file', async () => {
    const input = join(workDir, 'events.jsonl');
    writeFileSync(input, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    for (const [file, reference] of [QUERIES[5], QUERIES[4]]) {
      expectSameRows(await runExample(file, 2, ['--input', input], join(workDir, `${file}-file.jsonl`)), reference(events));
    }
  });

  it('gives the same answer with checkpointing enabled', async () => {
    for (const [file, reference] of [QUERIES[3], QUERIES[8]]) {
      const output = join(workDir, `${file}-checkpointed/`);
      expectSameRows(await runExample(file, 2, [...GENERATOR_ARGS, '--checkpoint-interval', '50'], output), reference(events));
    }
  });

  it.each([1, 4])('word-count at parallelism %i counts the words of a text file', async (parallelism) => {
    const text = Array.from({ length: 400 }, (_, i) => `Line ${i % 37}: the Quick brown fox, jumps over ${i % 5} lazy DOGS — naïve café!`).join('\n');
    const input = join(workDir, `words-${parallelism}.txt`);
    writeFileSync(input, text);
    const output = join(workDir, `words-${parallelism}` + (parallelism > 1 ? '/' : '.jsonl'));
    expectSameRows(await runExample('word-count.ts', parallelism, ['--input', input], output), referenceWordCount(text));
  });
});
