/**
 * Order-insensitive comparison of result rows with a tolerance for floats, for tests and the
 * CLI check: parallel runs emit the same rows in another order, and averages summed in another
 * order differ in the last bits.
 */

export interface RowsDiff {
  equal: boolean;
  missing: unknown[];
  unexpected: unknown[];
}

type Row = Record<string, unknown>;

function canonical(row: Row, digits: number): string {
  const keys = Object.keys(row).sort();
  return keys
    .map((k) => {
      const v = row[k];
      return k + '=' + (typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(digits) : JSON.stringify(v));
    })
    .join('|');
}

/** Multiset difference of two row lists; non-integers compared to `digits` significant digits. */
export function compareRows(actual: readonly unknown[], expected: readonly unknown[], digits = 12): RowsDiff {
  const pending = new Map<string, unknown[]>();
  for (const row of expected) {
    const key = canonical(row as Row, digits);
    const list = pending.get(key);
    if (list === undefined) pending.set(key, [row]);
    else list.push(row);
  }
  const unexpected: unknown[] = [];
  for (const row of actual) {
    const list = pending.get(canonical(row as Row, digits));
    if (list === undefined || list.length === 0) unexpected.push(row);
    else list.pop();
  }
  const missing = [...pending.values()].flat();
  return { equal: missing.length === 0 && unexpected.length === 0, missing, unexpected };
}
