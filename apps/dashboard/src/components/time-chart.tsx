/** A small uPlot line chart of values sampled over time (kept in the browser, last 120 samples). */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Sampled {
  /** Seconds since the epoch, one per sample. */
  times: number[];
  series: { label: string; values: (number | null)[]; colour: string }[];
}

export const MAX_SAMPLES = 120;

/** The narrowest y axis (uPlot's default width), and the room kept free left of its widest label. */
const MIN_AXIS_SIZE = 50;
const AXIS_LEFT_MARGIN = 4;

let measureCtx: CanvasRenderingContext2D | null = null;

/**
 * uPlot's axis autosize (its demo "axis-autosize"): an axis as wide as its widest tick label,
 * measured with the axis's own font, plus its tick length and gap — so "1,200,000" or "2.5M" is
 * not cut at the chart's left edge as a fixed size cuts it. Measured on a canvas of its own, so
 * the chart's context keeps the font state uPlot caches. uPlot calls this on every layout cycle
 * with the formatted tick values; past the second cycle the size found is kept, so the loop
 * (size → ticks → size) converges.
 */
export function autoAxisSize(self: uPlot, values: string[] | null, axisIdx: number, cycleNum: number): number {
  // After init uPlot keeps an axis's font as [font with px scaled by pxRatio, scaled px, css px].
  const axis = self.axes[axisIdx] as uPlot.Axis & { _size?: number; font?: unknown };
  if (cycleNum > 1 && axis._size) return axis._size;
  const ticks = axis.ticks?.show === false ? 0 : (axis.ticks?.size ?? 10);
  let widest = 0;
  if (values && values.length > 0) {
    measureCtx ??= document.createElement('canvas').getContext('2d');
    const font = Array.isArray(axis.font) ? String(axis.font[0]) : String(axis.font ?? '12px system-ui');
    if (measureCtx) {
      measureCtx.font = font;
      const ratio = Array.isArray(axis.font) ? uPlot.pxRatio : 1;
      for (const v of values) for (const line of String(v ?? '').split('\n')) widest = Math.max(widest, measureCtx.measureText(line).width / ratio);
    }
  }
  return Math.max(MIN_AXIS_SIZE, Math.ceil(AXIS_LEFT_MARGIN + widest + (axis.gap ?? 5) + ticks));
}

/** Appends one sample to every series, dropping the oldest past MAX_SAMPLES. */
export function addSample(s: Sampled, atMs: number, values: (number | null)[]): Sampled {
  const cut = (a: (number | null)[] | number[]) => (a.length >= MAX_SAMPLES ? a.slice(a.length - MAX_SAMPLES + 1) : a.slice());
  const times = cut(s.times) as number[];
  times.push(atMs / 1000);
  return { times, series: s.series.map((x, i) => ({ ...x, values: [...cut(x.values), values[i] ?? null] })) };
}

export function TimeChart({ data, height = 160, testId }: { data: Sampled; height?: number; testId?: string }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const labels = data.series.map((s) => s.label).join('|');
  // One sample has no range: uPlot would spread it over years. Draw from the second on.
  const drawable = data.times.length >= 2;

  useEffect(() => {
    const el = host.current;
    if (!el || !drawable) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      series: [{}, ...data.series.map((s) => ({ label: s.label, stroke: s.colour, width: 2, spanGaps: true }))],
      axes: [{}, { size: autoAxisSize }],
      legend: { show: true },
      cursor: { show: true },
    };
    plot.current = new uPlot(opts, [data.times, ...data.series.map((s) => s.values)] as uPlot.AlignedData, el);
    const onResize = () => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height });
    addEventListener('resize', onResize);
    return () => {
      removeEventListener('resize', onResize);
      plot.current?.destroy();
      plot.current = null;
    };
  }, [labels, height, drawable]);

  useEffect(() => {
    plot.current?.setData([data.times, ...data.series.map((s) => s.values)] as uPlot.AlignedData);
  }, [data]);

  return (
    <div class="chart" ref={host} data-testid={testId}>
      {!drawable && <p class="muted small">Collecting samples…</p>}
    </div>
  );
}
