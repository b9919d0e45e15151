/**
 * The two ends of in-process channels, made when the first end is deployed and handed to each end
 * once (either end may be deployed first). Keys start with the job id, so a job's leftover halves
 * (the job ended before both ends were deployed) can be dropped.
 */
export interface ChannelEnd {
  close(): void;
}

export class ChannelPairs<P extends ChannelEnd> {
  private readonly pending = new Map<string, { producer?: P; consumer?: P }>();

  constructor(
    private readonly make: () => [producer: P, consumer: P],
    private readonly what = 'channel',
  ) {}

  take(key: string, side: 'producer' | 'consumer'): P {
    let pair = this.pending.get(key);
    if (!pair) {
      const [producer, consumer] = this.make();
      pair = { producer, consumer };
      this.pending.set(key, pair);
    }
    const port = pair[side];
    if (!port) throw new Error(`${this.what} ${key} already has a ${side}`);
    pair[side] = undefined;
    if (!pair.producer && !pair.consumer) this.pending.delete(key);
    return port;
  }

  releaseJob(jobId: string): void {
    for (const [key, pair] of this.pending) {
      if (!key.startsWith(`${jobId}/`)) continue;
      pair.producer?.close();
      pair.consumer?.close();
      this.pending.delete(key);
    }
  }

  static key(jobId: string, attempt: number, edgeIndex: number, source: number, partition: number): string {
    return `${jobId}/${attempt}/${edgeIndex}/${source}/${partition}`;
  }
}
