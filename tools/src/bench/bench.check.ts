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

export function checkRows(actual: readonly unknown[], expected: readonly unknown[]): CheckResult {
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
