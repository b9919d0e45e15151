/**
 * What travels on a channel between tasks: batches of records and, in-band and ordered with them,
 * watermarks, watermark status (idleness), checkpoint barriers, end-of-data and end-of-partition.
 */

export const NO_TIMESTAMP = Number.NEGATIVE_INFINITY;
export const MIN_WATERMARK = Number.NEGATIVE_INFINITY;
/** Emitted when a bounded input ends, so every pending event-time window and timer fires. */
export const MAX_WATERMARK = Number.POSITIVE_INFINITY;

export const StreamElementType = {
  Records: 'records',
  Watermark: 'watermark',
  WatermarkStatus: 'watermark-status',
  Barrier: 'barrier',
  EndOfData: 'end-of-data',
  EndOfPartition: 'end-of-partition',
} as const;
export type StreamElementType = (typeof StreamElementType)[keyof typeof StreamElementType];

/** A batch of records; timestamps[i] belongs to values[i] (NO_TIMESTAMP when none). */
export interface RecordBatch<T = unknown> {
  readonly type: 'records';
  readonly values: T[];
  readonly timestamps: number[];
}
export interface WatermarkElement {
  readonly type: 'watermark';
  readonly timestamp: number;
}
export interface WatermarkStatusElement {
  readonly type: 'watermark-status';
  readonly idle: boolean;
}
export interface BarrierElement {
  readonly type: 'barrier';
  readonly checkpointId: number;
  readonly timestamp: number;
}
/**
 * The producer's operators finished: no record or watermark follows on this channel, only its
 * final checkpoint's barrier and end-of-partition (Flink's EndOfData, FLIP-147). A consumer may
 * finish as soon as every input sent it, so one checkpoint is the final one of the whole pipeline,
 * not one per stage.
 */
export interface EndOfDataElement {
  readonly type: 'end-of-data';
}
export interface EndOfPartitionElement {
  readonly type: 'end-of-partition';
}

export type StreamElement<T = unknown> =
  | RecordBatch<T>
  | WatermarkElement
  | WatermarkStatusElement
  | BarrierElement
  | EndOfDataElement
  | EndOfPartitionElement;

export const END_OF_PARTITION: EndOfPartitionElement = Object.freeze({ type: 'end-of-partition' });
export const END_OF_DATA: EndOfDataElement = Object.freeze({ type: 'end-of-data' });
