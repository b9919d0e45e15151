/**
 * A local environment for benchmarking unmodified example jobs: the job's Nexmark generator
 * source is swapped for a reader over events generated before the clock starts (same split as
 * the generator: subtask i of n gets events i, i+n, …), and its sink for one that keeps the rows
 * in memory (checked against the reference after the clock stops).
 * So the timed part is the pipeline itself, as in the baseline loop.
 */
import {
  Boundedness,
  OperatorKind,
  StreamExecutionEnvironment,
  type NexmarkEvent,
  type Sink,
  type SinkWriter,
  type Source,
  type SourceReader,
  type SourceReaderContext,
} from '@runnel/dataflow';

type AddTransformation = StreamExecutionEnvironment['addTransformation'];
type Transformation = ReturnType<AddTransformation>;

class PregeneratedReader implements SourceReader<NexmarkEvent, number> {
  private next: number;
  constructor(
    private readonly events: readonly NexmarkEvent[],
    private readonly ctx: SourceReaderContext,
  ) {
    this.next = ctx.subtaskIndex;
  }
  pollBatch(max: number): readonly NexmarkEvent[] | null {
    const { events, ctx } = this;
    if (this.next >= events.length) return null;
    // At its final size, filled by index (as NexmarkSource does): no growth by push.
    const p = ctx.parallelism;
    const n = Math.min(max, Math.ceil((events.length - this.next) / p));
    const out = new Array<NexmarkEvent>(n);
    for (let k = 0, i = this.next; k < n; k++, i += p) out[k] = events[i];
    this.next += n * p;
    return out;
  }
  position(): number {
    return this.next;
  }
  restore(position: number): void {
    this.next = position;
  }
}

export class PregeneratedSource implements Source<NexmarkEvent, number> {
  readonly boundedness = Boundedness.Bounded;
  constructor(private readonly events: readonly NexmarkEvent[]) {}
  createReader(ctx: SourceReaderContext): SourceReader<NexmarkEvent, number> {
    return new PregeneratedReader(this.events, ctx);
  }
  describe(): Record<string, unknown> {
    return { type: 'pregenerated-nexmark', events: this.events.length };
  }
}

/** Keeps every row (one push each), so the run's answer can be checked after the clock stops. */
export class CollectingSink<T> implements Sink<T> {
  rows: T[] = [];
  get count(): number {
    return this.rows.length;
  }
  createWriter(): SinkWriter<T> {
    return {
      write: (values) => {
        const rows = this.rows;
        for (let i = 0; i < values.length; i++) rows.push(values[i]);
      },
    };
  }
  describe(): Record<string, unknown> {
    return { type: 'collecting' };
  }
}

export class BenchEnvironment extends StreamExecutionEnvironment {
  readonly sink = new CollectingSink<unknown>();

  /** Without `events` the job's own source (the Nexmark generator) runs, inside the timed part. */
  constructor(
    private readonly events: readonly NexmarkEvent[] | undefined,
    parallelism: number,
  ) {
    super('local', parallelism);
  }

  override addTransformation(
    kind: Parameters<AddTransformation>[0],
    name: string,
    inputs: Parameters<AddTransformation>[2],
    config: Record<string, unknown> = {},
    functions: Record<string, unknown> = {},
  ): Transformation {
    if (kind === OperatorKind.Source && this.events !== undefined) {
      functions = { ...functions, source: new PregeneratedSource(this.events) };
      config = { ...config, source: { type: 'pregenerated-nexmark', events: this.events.length } };
    } else if (kind === OperatorKind.Sink) {
      functions = { ...functions, sink: this.sink };
    }
    return super.addTransformation(kind, name, inputs, config, functions);
  }
}
