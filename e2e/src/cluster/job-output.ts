/** Reading a job's JSON Lines output (a file or a directory of part files) for comparison. */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function readJsonLines<T = Record<string, unknown>>(path: string): T[] {
  if (!existsSync(path)) return [];
  const files = statSync(path).isDirectory()
    ? readdirSync(path).filter((f) => f.endsWith('.jsonl')).map((f) => join(path, f))
    : [path];
  return files.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as T),
  );
}

/** Rows as sorted canonical strings: equal multisets compare equal, whatever the order. */
export function canonicalRows(rows: readonly unknown[]): string[] {
  return rows.map((r) => JSON.stringify(sortKeys(r))).sort();
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value as object).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** Rolling sums per key (n % keys) of 1..count, as a sum('n') after keyBy emits them: the plain loop. */
export function rollingSums(count: number, keys: number): string[] {
  const sums = new Map<number, number>();
  const rows: { key: number; n: number }[] = [];
  for (let n = 1; n <= count; n++) {
    const key = n % keys;
    const s = (sums.get(key) ?? 0) + n;
    sums.set(key, s);
    rows.push({ key, n: s });
  }
  return canonicalRows(rows);
}

/** WordCount's answer, computed here: lower-cased runs of letters and digits, counted. */
export function countWords(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}
