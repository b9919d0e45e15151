/** Collects every record into an in-process array (embedded executor and tests). */
import type { Sink, SinkWriter } from './source.types';

export class CollectSink<T> implements Sink<T> {
  readonly values: T[] = [];
  readonly timestamps: number[] = [];
  createWriter(): SinkWriter<T> {
    return {
      write: (values, timestamps) => {
        for (let i = 0; i < values.length; i++) {
          this.values.push(values[i]);
          this.timestamps.push(timestamps[i]);
        }
      },
    };
  }
  describe(): Record<string, unknown> {
    return { type: 'collect' };
  }
}
