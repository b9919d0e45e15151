import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outputPathOf, readJobOutput, resolvePathArgs } from './cluster-job.runner';

describe('the --run job helpers', () => {
  it('makes --input and --output absolute against the given directory, keeping a trailing slash', () => {
    expect(resolvePathArgs(['--input', 'README.md', '--output', 'out/', '--events', '10', '--output=x.jsonl'], '/work')).toEqual([
      '--input', '/work/README.md', '--output', '/work/out/', '--events', '10', '--output=/work/x.jsonl',
    ]);
    expect(resolvePathArgs(['--input', '/abs/file'], '/work')).toEqual(['--input', '/abs/file']);
  });

  it('finds the last --output', () => {
    expect(outputPathOf(['--output', 'a', '--output=b'])).toBe('b');
    expect(outputPathOf(['--input', 'a'])).toBeUndefined();
  });

  it('reads part files written since the submission only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runnel-run-output-'));
    try {
      writeFileSync(join(dir, 'part-0.jsonl'), '{"a":1}\n{"a":2}\n');
      writeFileSync(join(dir, 'part-5.jsonl'), '{"stale":true}\n');
      const old = new Date(Date.now() - 60_000);
      utimesSync(join(dir, 'part-5.jsonl'), old, old);
      expect(readJobOutput(dir, Date.now() - 10_000)).toEqual([{ a: 1 }, { a: 2 }]);
      expect(readJobOutput(join(dir, 'part-0.jsonl'), Date.now() - 10_000)).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
