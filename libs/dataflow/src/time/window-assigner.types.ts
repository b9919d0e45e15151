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
  /** Windows the element belongs to; `timestamp` is event time or current processing time. */
  abstract assignWindows(timestamp: number): TimeWindow[];
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
  constructor(readonly config: Extract<WindowAssignerConfig, { type: 'tumbling' }>) {
    super();
  }
  assignWindows(ts: number): TimeWindow[] {
    const start = windowStartWithOffset(ts, this.config.offset, this.config.size);
    return [new TimeWindow(start, start + this.config.size)];
  }
}

export class SlidingWindowAssigner extends WindowAssigner {
  constructor(readonly config: Extract<WindowAssignerConfig, { type: 'sliding' }>) {
    super();
  }
  assignWindows(ts: number): TimeWindow[] {
    const { size, slide, offset } = this.config;
    const out: TimeWindow[] = [];
    for (let start = windowStartWithOffset(ts, offset, slide); start > ts - size; start -= slide) {
      out.push(new TimeWindow(start, start + size));
    }
    return out;
  }
}

export class SessionWindowAssigner extends WindowAssigner {
  constructor(readonly config: Extract<WindowAssignerConfig, { type: 'session' }>) {
    super();
  }
  assignWindows(ts: number): TimeWindow[] {
    return [new TimeWindow(ts, ts + this.config.gap)];
  }
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
