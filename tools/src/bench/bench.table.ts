/** Plain-text table rendering for benchmark results (right-aligned numbers, padded columns). */

export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return (perSecond / 1e6).toFixed(2) + 'M';
  if (perSecond >= 1e3) return (perSecond / 1e3).toFixed(1) + 'K';
  return perSecond.toFixed(0);
}

export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
