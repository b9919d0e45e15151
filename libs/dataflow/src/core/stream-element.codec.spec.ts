import { decodeStreamElement, encodeStreamElement } from './stream-element.codec';
import { END_OF_PARTITION, MAX_WATERMARK, NO_TIMESTAMP, type StreamElement } from './stream-element.types';

describe('stream element codec', () => {
  it('round-trips every element type, including ±Infinity timestamps and nested records', () => {
    const elements: StreamElement[] = [
      { type: 'records', values: [{ a: 1, b: 'x', c: [1, 2], d: { e: null } }, { a: 2, b: 'y', c: [], d: { e: true } }], timestamps: [NO_TIMESTAMP, 1700000000123] },
      { type: 'watermark', timestamp: MAX_WATERMARK },
      { type: 'watermark-status', idle: true },
      { type: 'barrier', checkpointId: 7, timestamp: 123 },
      END_OF_PARTITION,
    ];
    for (const e of elements) expect(decodeStreamElement(encodeStreamElement(e))).toEqual(e);
  });
});
