/**
 * Stream elements on the wire (msgpackr). A message carries one element of one channel: a batch of
 * records, a watermark, a watermark status, a barrier, end-of-data or end-of-partition, tagged with the
 * producing subtask so the consumer knows the channel. Records stay as they are (no JSON).
 */
import { Packr } from 'msgpackr';
import type { StreamElement } from '@runnel/dataflow';

const RECORDS = 0;
const WATERMARK = 1;
const STATUS = 2;
const BARRIER = 3;
const END = 4;
const END_OF_DATA_TAG = 5;

const END_OF_PARTITION = Object.freeze({ type: 'end-of-partition' as const });
const END_OF_DATA = Object.freeze({ type: 'end-of-data' as const });

export class ElementCodec {
  private readonly packr = new Packr({ useRecords: true });

  encode(source: number, element: StreamElement): Uint8Array {
    switch (element.type) {
      case 'records':
        return this.packr.pack([source, RECORDS, element.values, element.timestamps]);
      case 'watermark':
        return this.packr.pack([source, WATERMARK, element.timestamp]);
      case 'watermark-status':
        return this.packr.pack([source, STATUS, element.idle]);
      case 'barrier':
        return this.packr.pack([source, BARRIER, element.checkpointId, element.timestamp]);
      case 'end-of-partition':
        return this.packr.pack([source, END]);
      case 'end-of-data':
        return this.packr.pack([source, END_OF_DATA_TAG]);
    }
  }

  decode(bytes: Uint8Array): { source: number; element: StreamElement } {
    const m = this.packr.unpack(bytes) as [number, number, unknown, unknown];
    const source = m[0];
    switch (m[1]) {
      case RECORDS:
        return { source, element: { type: 'records', values: m[2] as unknown[], timestamps: m[3] as number[] } };
      case WATERMARK:
        return { source, element: { type: 'watermark', timestamp: m[2] as number } };
      case STATUS:
        return { source, element: { type: 'watermark-status', idle: m[2] as boolean } };
      case BARRIER:
        return { source, element: { type: 'barrier', checkpointId: m[2] as number, timestamp: m[3] as number } };
      case END:
        return { source, element: END_OF_PARTITION };
      case END_OF_DATA_TAG:
        return { source, element: END_OF_DATA };
      default:
        throw new Error(`unknown stream element tag ${m[1]}`);
    }
  }
}
