/**
 * The Nexmark generator as a dataflow Source: reader i of n produces the events with id ≡ i mod n,
 * and its position is the next event id, so a restored reader regenerates exactly what follows.
 * Events are produced as fast as the pipeline pulls them; `rate` only spaces their event time.
 */
import { Boundedness, Source, SourceReader, SourceReaderContext } from '../source.types';
import type { NexmarkEvent } from './nexmark-event.types';
import { NexmarkConfig, NexmarkConfigOptions, resolveNexmarkConfig } from './nexmark.generator';
import { NexmarkSplitGenerator } from './nexmark-split.generator';

class NexmarkSourceReader implements SourceReader<NexmarkEvent, number> {
  private generator: NexmarkSplitGenerator;

  constructor(
    private readonly config: NexmarkConfig,
    private readonly ctx: SourceReaderContext,
  ) {
    this.generator = new NexmarkSplitGenerator(config, { subtask: ctx.subtaskIndex, parallelism: ctx.parallelism });
  }

  pollBatch(max: number): readonly NexmarkEvent[] | null {
    if (!this.generator.hasNext()) return null;
    // Allocated at its final size and filled by index: a batch grown by push from [] allocates
    // and copies about three times its size.
    const n = Math.min(max, this.generator.remaining);
    const batch = new Array<NexmarkEvent>(n);
    for (let i = 0; i < n; i++) batch[i] = this.generator.next() as NexmarkEvent;
    return batch;
  }

  position(): number {
    return this.generator.position;
  }

  restore(position: number): void {
    this.generator = new NexmarkSplitGenerator(this.config, {
      subtask: this.ctx.subtaskIndex,
      parallelism: this.ctx.parallelism,
      position,
    });
  }
}

export class NexmarkSource implements Source<NexmarkEvent, number> {
  readonly config: NexmarkConfig;
  readonly boundedness: Boundedness;

  constructor(options: NexmarkConfigOptions) {
    this.config = resolveNexmarkConfig(options);
    this.boundedness = Number.isFinite(this.config.events) ? Boundedness.Bounded : Boundedness.Continuous;
  }

  createReader(ctx: SourceReaderContext): SourceReader<NexmarkEvent, number> {
    return new NexmarkSourceReader(this.config, ctx);
  }

  describe(): Record<string, unknown> {
    const { events, rate, seed, baseTime, outOfOrdernessMs, watermarkBoundMs, lateFraction } = this.config;
    // JSON has no Infinity: an unbounded generator is described with events = null.
    const described = { connector: 'nexmark', events: Number.isFinite(events) ? events : null, rate, seed, baseTime };
    return outOfOrdernessMs === 0 ? described : { ...described, outOfOrdernessMs, watermarkBoundMs, lateFraction };
  }
}
