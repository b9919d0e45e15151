/** Min / median / max of repeated measurements, and their rendering in one table cell. */
import { formatRate } from './bench.table';

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { min: s[0], median, max: s[s.length - 1] };
}

/** "median (min–max)" of rates. */
export function formatRateSpread(s: Spread): string {
  return `${formatRate(s.median)} (${formatRate(s.min)}–${formatRate(s.max)})`;
}

/** "median× (min–max)" of ratios. */
export function formatRatioSpread(s: Spread): string {
  return `${s.median.toFixed(1)}x (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
}
