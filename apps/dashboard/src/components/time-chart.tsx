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
      axes: [{}, { size: 60 }],
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
