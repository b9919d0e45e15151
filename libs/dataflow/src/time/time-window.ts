/** A time window [start, end); its last timestamp is end - 1. Namespaces encode it as "start:end". */

export class TimeWindow {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}
  maxTimestamp(): number {
    return this.end - 1;
  }
  /** Like Flink: touching windows intersect, so sessions that meet merge. */
  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }
  toNamespace(): string {
    return `${this.start}:${this.end}`;
  }
  static fromNamespace(ns: string): TimeWindow {
    const i = ns.indexOf(':');
    return new TimeWindow(Number(ns.slice(0, i)), Number(ns.slice(i + 1)));
  }
  toString(): string {
    return `TimeWindow[${this.start}, ${this.end})`;
  }
}

/** Start of the window of `size` (aligned to the epoch plus `offset`) that contains `timestamp`. */
export function windowStartWithOffset(timestamp: number, offset: number, size: number): number {
  const rem = (timestamp - offset) % size;
  return rem < 0 ? timestamp - (rem + size) : timestamp - rem;
}
