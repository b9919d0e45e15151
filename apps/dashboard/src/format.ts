/** Number, size, time and duration formats of the tables. */
export function fmtNumber(n: number | undefined | null): string {
  if (n === undefined || n === null || Number.isNaN(n)) return '–';
  return n.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

export function fmtBytes(n: number | undefined | null): string {
  if (n === undefined || n === null || n < 0) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function fmtDuration(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${Math.floor(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} m`;
}

export function fmtTime(ts: number | undefined | null): string {
  if (ts === undefined || ts === null || ts <= 0) return '–';
  return new Date(ts).toLocaleString('en-GB', { hour12: false });
}

/** A watermark: Long.MIN_VALUE-like values mean "none yet". */
export function fmtWatermark(ts: number | undefined | null): string {
  if (ts === undefined || ts === null || ts <= -9e15 || ts === Number.NEGATIVE_INFINITY) return 'no watermark';
  if (ts >= 9e15 || ts === Number.POSITIVE_INFINITY) return 'end of input';
  return new Date(ts).toISOString().replace('T', ' ').replace('Z', '');
}
