/**
 * Combines the watermarks of a task's input channels: the task watermark is the minimum over
 * active channels (idle ones excluded; ended ones count as +∞) and never goes back. When every
 * channel is idle the task itself becomes idle, after advancing to the highest channel watermark.
 */

export class WatermarkValve {
  private readonly watermarks: number[];
  private readonly idle: boolean[];
  private lastEmitted = Number.NEGATIVE_INFINITY;
  private allIdle = false;

  constructor(
    channels: number,
    private readonly onWatermark: (wm: number) => void,
    private readonly onStatus: (idle: boolean) => void,
  ) {
    this.watermarks = new Array<number>(channels).fill(Number.NEGATIVE_INFINITY);
    this.idle = new Array<boolean>(channels).fill(false);
  }

  inputWatermark(channel: number, watermark: number): void {
    if (watermark > this.watermarks[channel]) this.watermarks[channel] = watermark;
    if (this.idle[channel]) this.inputStatus(channel, false);
    else this.recompute();
  }

  inputStatus(channel: number, idle: boolean): void {
    if (this.idle[channel] === idle) return;
    this.idle[channel] = idle;
    const allIdle = this.idle.every(Boolean);
    if (allIdle !== this.allIdle) {
      this.allIdle = allIdle;
      if (!allIdle) this.onStatus(false);
    }
    if (allIdle) {
      // Like Flink's StatusWatermarkValve: when the last active channel goes idle, advance to the
      // highest watermark any channel reached, so its progress is not lost while all are idle.
      let max = Number.NEGATIVE_INFINITY;
      for (const w of this.watermarks) if (w > max) max = w;
      if (max > this.lastEmitted) {
        this.lastEmitted = max;
        this.onWatermark(max);
      }
      this.onStatus(true);
    } else this.recompute();
  }

  endOfPartition(channel: number): void {
    this.idle[channel] = false;
    this.watermarks[channel] = Number.POSITIVE_INFINITY;
    this.recompute();
  }

  private recompute(): void {
    let min = Number.POSITIVE_INFINITY;
    let any = false;
    for (let c = 0; c < this.watermarks.length; c++) {
      if (this.idle[c]) continue;
      any = true;
      if (this.watermarks[c] < min) min = this.watermarks[c];
    }
    if (!any) return;
    if (min > this.lastEmitted) {
      this.lastEmitted = min;
      this.onWatermark(min);
    }
  }

  /** A channel's own watermark (+∞ once it ended): read by the metrics, never on the record path. */
  channelWatermark(channel: number): number {
    return this.watermarks[channel];
  }

  isIdle(channel: number): boolean {
    return this.idle[channel];
  }

  get currentWatermark(): number {
    return this.lastEmitted;
  }
}
