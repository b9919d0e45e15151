/** Flink-named factories for window assigners (event- and processing-time). */
import { InvalidArgumentError } from '../core/dataflow.errors';
import {
  SessionWindowAssigner,
  SlidingWindowAssigner,
  TumblingWindowAssigner,
  positive,
} from './window-assigner.types';

function offsetOk(offset: number, size: number): number {
  if (!Number.isFinite(offset) || Math.abs(offset) >= size) throw new InvalidArgumentError(`window offset must satisfy |offset| < size (${size}), got ${offset}`);
  return offset;
}

export const TumblingEventTimeWindows = {
  of: (size: number, offset = 0) =>
    new TumblingWindowAssigner({ type: 'tumbling', eventTime: true, size: positive('window size', size), offset: offsetOk(offset, size) }),
};
export const TumblingProcessingTimeWindows = {
  of: (size: number, offset = 0) =>
    new TumblingWindowAssigner({ type: 'tumbling', eventTime: false, size: positive('window size', size), offset: offsetOk(offset, size) }),
};
export const SlidingEventTimeWindows = {
  of: (size: number, slide: number, offset = 0) =>
    new SlidingWindowAssigner({ type: 'sliding', eventTime: true, size: positive('window size', size), slide: positive('window slide', slide), offset: offsetOk(offset, slide) }),
};
export const SlidingProcessingTimeWindows = {
  of: (size: number, slide: number, offset = 0) =>
    new SlidingWindowAssigner({ type: 'sliding', eventTime: false, size: positive('window size', size), slide: positive('window slide', slide), offset: offsetOk(offset, slide) }),
};
export const EventTimeSessionWindows = {
  withGap: (gap: number) => new SessionWindowAssigner({ type: 'session', eventTime: true, gap: positive('session gap', gap) }),
};
export const ProcessingTimeSessionWindows = {
  withGap: (gap: number) => new SessionWindowAssigner({ type: 'session', eventTime: false, gap: positive('session gap', gap) }),
};
