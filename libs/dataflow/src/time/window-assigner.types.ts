/**
 * Window assigners are described by a serialisable config (it goes into the JobGraph) and rebuilt
 * from it in the task, so no function is needed to run them.
 */
import { InvalidArgumentError } from '../core/dataflow.errors';
import { TimeWindow, windowStartWithOffset } from './time-window';

export const WindowAssignerType = {
  Tumbling: 'tumbling',
  Sliding: 'sliding',
  Session: 'session',
} as const;
export type WindowAssignerType = (typeof WindowAssignerType)[keyof typeof WindowAssignerType];

export type WindowAssignerConfig =
  | { type: 'tumbling'; eventTime: boolean; size: number; offset: number }
  | { type: 'sliding'; eventTime: boolean; size: number; slide: number; offset: number }
  | { type: 'session'; eventTime: boolean; gap: number };

export abstract class WindowAssigner {
  abstract readonly config: WindowAssignerConfig;
  /** Window length: size for tumbling and sliding windows, the gap for a new session window. */
  abstract readonly windowSize: number;
  /** The most windows one element belongs to (the length `assignStarts` needs). */
  abstract readonly maxWindowsPerElement: number;
  /**
   * Writes the starts of the windows containing `timestamp` into `out` (latest first) and
   * returns how many; each window is [start, start + windowSize). This is what the window
   * operator calls per record: it allocates nothing.
   */
  abstract assignStarts(timestamp: number, out: Float64Array): number;
  /** Windows the element belongs to; `timestamp` is event time or current processing time. */
  assignWindows(timestamp: number): TimeWindow[] {
    const starts = new Float64Array(this.maxWindowsPerElement);
    const n = this.assignStarts(timestamp, starts);
    const out: TimeWindow[] = [];
    for (let i = 0; i < n; i++) out.push(new TimeWindow(starts[i], starts[i] + this.windowSize));
    return out;
  }
  get isEventTime(): boolean {
    return this.config.eventTime;
  }
  get isMerging(): boolean {
    return this.config.type === 'session';
  }
}

export function positive(name: string, v: number): number {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new InvalidArgumentError(`${name} must be a positive number of milliseconds, got ${v}`);
  return v;
}

export class TumblingWindowAssigner extends WindowAssigner {
  readonly windowSize: number;
  readonly maxWindowsPerElement = 1;
  constructor(readonly config: Extract<WindowAssignerConfig, { type: 'tumbling' }>) {
    super();
    this.windowSize = config.size;
  }
  assignStarts(ts: number, out: Float64Array): number {
    out[0] = windowStartWithOffset(ts, this.config.offset, this.config.size);
    return 1;
  }
}

export class SlidingWindowAssigner extends WindowAssigner {
  readonly windowSize: number;
  readonly maxWindowsPerElement: number;
  /**
   * The pane: the largest length that divides both size and slide. Every window is a run of
   * whole panes, so an aggregate can be kept per pane and the panes combined when a window fires.
   * 0 when size or slide is not a whole number of milliseconds (no panes then).
   */
  readonly paneSize: number;
  constructor(readonly config: Extract<WindowAssignerConfig, { type: 'sliding' }>) {
    super();
    this.windowSize = config.size;
    this.maxWindowsPerElement = Math.ceil(config.size / config.slide);
    this.paneSize = Number.isInteger(config.size) && Number.isInteger(config.slide) ? gcd(config.size, config.slide) : 0;
  }
  assignStarts(ts: number, out: Float64Array): number {
    const { size, slide, offset } = this.config;
    let n = 0;
    for (let start = windowStartWithOffset(ts, offset, slide); start > ts - size; start -= slide) out[n++] = start;
    return n;
  }
}

export class SessionWindowAssigner extends WindowAssigner {
  readonly windowSize: number;
  readonly maxWindowsPerElement = 1;
  constructor(readonly config: Extract<WindowAssignerConfig, { type: 'session' }>) {
    super();
    this.windowSize = config.gap;
  }
  assignStarts(ts: number, out: Float64Array): number {
    out[0] = ts;
    return 1;
  }
}

/** Greatest common divisor of two positive integers. */
export function gcd(a: number, b: number): number {
  while (b > 0) {
    const r = a % b;
    a = b;
    b = r;
  }
  return a;
}

export function windowAssignerFromConfig(config: WindowAssignerConfig): WindowAssigner {
  switch (config.type) {
    case 'tumbling':
      return new TumblingWindowAssigner(config);
    case 'sliding':
      return new SlidingWindowAssigner(config);
    case 'session':
      return new SessionWindowAssigner(config);
  }
}
