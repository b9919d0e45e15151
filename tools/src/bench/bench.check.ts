/**
 * Every bench run's answer is compared with the reference implementation's answer over the same
 * events (order-insensitive); a wrong answer is reported and makes the bench exit non-zero.
 */
import { compareRows } from '../reference';

export interface CheckResult {
  ok: boolean;
  /** Empty when ok; else counts and a few example rows. */
  detail: string;
}

/** Same rows in the same order, each field === (the common case at parallelism 1, and cheap). */
function sameInOrder(actual: readonly unknown[], expected: readonly unknown[]): boolean {
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as Record<string, unknown>;
    const b = expected[i] as Record<string, unknown>;
    if (a === b) continue;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    for (const k of keys) if (a[k] !== b[k]) return false;
  }
  return true;
}

export function checkRows(actual: readonly unknown[], expected: readonly unknown[]): CheckResult {
  if (sameInOrder(actual, expected)) return { ok: true, detail: '' };
  const diff = compareRows(actual, expected);
  if (diff.equal) return { ok: true, detail: '' };
  const few = (rows: unknown[]) => rows.slice(0, 3).map((r) => JSON.stringify(r)).join(', ');
  return {
    ok: false,
    detail:
      `${actual.length} rows, reference ${expected.length}: ${diff.missing.length} missing [${few(diff.missing)}], ` +
      `${diff.unexpected.length} unexpected [${few(diff.unexpected)}]`,
  };
}
