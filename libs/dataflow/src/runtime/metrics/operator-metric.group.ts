/**
 * User-defined metrics of one operator (Flink's `getRuntimeContext().getMetricGroup()`): counters,
 * gauges and histograms, kept as plain fields and read only when a snapshot is taken. Bounded:
 * names are short identifiers and an operator has at most MAX_USER_METRICS of them, so a report
 * and the Prometheus series it feeds stay small whatever the user code does.
 */
import { DataflowError, DataflowErrorCode } from '../../core/dataflow.errors';

export const MAX_USER_METRICS = 32;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const RESERVOIR = 1024;

/** A metric name that is not an identifier, registered twice as different kinds, or one too many. */
export class InvalidMetricError extends DataflowError {
  constructor(message: string) {
    super(DataflowErrorCode.InvalidMetric, message);
  }
}

export interface Counter {
  inc(n?: number): void;
  dec(n?: number): void;
  getCount(): number;
}

export interface Gauge<T extends number = number> {
  getValue(): T;
}

export interface Histogram {
  update(value: number): void;
  getCount(): number;
}

export interface MetricGroup {
  counter(name: string): Counter;
  gauge<T extends number>(name: string, gauge: Gauge<T> | (() => T)): Gauge<T>;
  histogram(name: string): Histogram;
}

class SimpleCounter implements Counter {
  private count = 0;
  inc(n = 1): void {
    this.count += n;
  }
  dec(n = 1): void {
    this.count -= n;
  }
  getCount(): number {
    return this.count;
  }
}

/** A histogram over the last RESERVOIR values (a ring buffer allocated once). */
class RingHistogram implements Histogram {
  private readonly values = new Float64Array(RESERVOIR);
  private count = 0;
  update(value: number): void {
    this.values[this.count % RESERVOIR] = value;
    this.count++;
  }
  getCount(): number {
    return this.count;
  }
  /** count, min, max, mean and quantiles of the retained values. */
  statistics(): Record<string, number> {
    const n = Math.min(this.count, RESERVOIR);
    if (n === 0) return { count: 0, min: 0, max: 0, mean: 0, p50: 0, p95: 0, p99: 0 };
    const sorted = Array.from(this.values.subarray(0, n)).sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.min(n - 1, Math.floor(p * n))];
    return { count: this.count, min: sorted[0], max: sorted[n - 1], mean: sorted.reduce((a, b) => a + b, 0) / n, p50: q(0.5), p95: q(0.95), p99: q(0.99) };
  }
}

type Entry = { kind: 'counter'; metric: SimpleCounter } | { kind: 'gauge'; metric: Gauge } | { kind: 'histogram'; metric: RingHistogram };

export class OperatorMetricGroup implements MetricGroup {
  private readonly metrics = new Map<string, Entry>();

  constructor(private readonly operatorName = 'operator') {}

  counter(name: string): Counter {
    return this.register(name, 'counter', () => new SimpleCounter()) as Counter;
  }

  gauge<T extends number>(name: string, gauge: Gauge<T> | (() => T)): Gauge<T> {
    const g: Gauge<T> = typeof gauge === 'function' ? { getValue: gauge } : gauge;
    return this.register(name, 'gauge', () => g) as Gauge<T>;
  }

  histogram(name: string): Histogram {
    return this.register(name, 'histogram', () => new RingHistogram()) as Histogram;
  }

  get size(): number {
    return this.metrics.size;
  }

  /** Current values; a histogram becomes `<name>_count`, `_min`, `_max`, `_mean`, `_p50`, `_p95`, `_p99`. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, e] of this.metrics) {
      if (e.kind === 'counter') out[name] = e.metric.getCount();
      else if (e.kind === 'gauge') {
        let v: number;
        try {
          v = Number(e.metric.getValue());
        } catch {
          v = Number.NaN;
        }
        // A gauge that throws or is not a number reports nothing rather than failing the task.
        if (Number.isFinite(v)) out[name] = v;
      } else for (const [k, v] of Object.entries(e.metric.statistics())) out[`${name}_${k}`] = v;
    }
    return out;
  }

  private register(name: string, kind: Entry['kind'], make: () => Entry['metric']): Entry['metric'] {
    if (typeof name !== 'string' || !NAME.test(name))
      throw new InvalidMetricError(`metric name ${JSON.stringify(name)} of operator "${this.operatorName}" must match ${NAME.source}`);
    const existing = this.metrics.get(name);
    if (existing) {
      if (existing.kind !== kind) throw new InvalidMetricError(`metric "${name}" of operator "${this.operatorName}" is already a ${existing.kind}`);
      return existing.metric;
    }
    if (this.metrics.size >= MAX_USER_METRICS)
      throw new InvalidMetricError(`operator "${this.operatorName}" registers more than ${MAX_USER_METRICS} metrics`);
    const metric = make();
    this.metrics.set(name, { kind, metric } as Entry);
    return metric;
  }
}
