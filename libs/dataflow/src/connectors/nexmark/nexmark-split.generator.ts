/**
 * A resumable slice of the Nexmark stream: subtask i of n produces the events whose id is
 * congruent to i mod n, in id order, and its `position` (the next id) is all a checkpoint needs
 * to resume. The union over all subtasks is exactly the whole stream.
 */
import type { NexmarkEvent } from './nexmark-event.types';
import { NexmarkConfig, NexmarkConfigError, NexmarkConfigOptions, nexmarkEventAt, resolveNexmarkConfig } from './nexmark.generator';
import { EventRandom } from './nexmark.random';

export interface NexmarkSplitOptions {
  subtask?: number;
  parallelism?: number;
  /** Resume at this event id (a value of `position` taken earlier); defaults to the first of the slice. */
  position?: number;
}

export class NexmarkSplitGenerator {
  readonly config: NexmarkConfig;
  readonly subtask: number;
  readonly parallelism: number;
  private nextId: number;
  private readonly rng = new EventRandom();

  constructor(config: NexmarkConfig | NexmarkConfigOptions, split: NexmarkSplitOptions = {}) {
    this.config = resolveNexmarkConfig(config);
    this.subtask = split.subtask ?? 0;
    this.parallelism = split.parallelism ?? 1;
    if (!Number.isInteger(this.parallelism) || this.parallelism < 1) {
      throw new NexmarkConfigError(`parallelism must be a positive integer, got ${split.parallelism}`);
    }
    if (!Number.isInteger(this.subtask) || this.subtask < 0 || this.subtask >= this.parallelism) {
      throw new NexmarkConfigError(`subtask must be in [0, ${this.parallelism}), got ${split.subtask}`);
    }
    const position = split.position ?? this.subtask;
    if (!Number.isInteger(position) || position < 0 || position % this.parallelism !== this.subtask) {
      throw new NexmarkConfigError(`position ${position} does not belong to subtask ${this.subtask} of ${this.parallelism}`);
    }
    this.nextId = position;
  }

  /** The id of the next event to produce: the checkpointable offset of this split. */
  get position(): number {
    return this.nextId;
  }

  /** Events left in this slice (Infinity for an unbounded stream). */
  get remaining(): number {
    return Math.max(0, Math.ceil((this.config.events - this.nextId) / this.parallelism));
  }

  hasNext(): boolean {
    return this.nextId < this.config.events;
  }

  /** The next event, or undefined once the slice is exhausted. */
  next(): NexmarkEvent | undefined {
    if (this.nextId >= this.config.events) return undefined;
    const event = nexmarkEventAt(this.config, this.nextId, this.rng);
    this.nextId += this.parallelism;
    return event;
  }

  /** Up to `max` events appended to `out`; returns how many were added. */
  nextBatch(out: NexmarkEvent[], max: number): number {
    let n = 0;
    while (n < max && this.nextId < this.config.events) {
      out.push(nexmarkEventAt(this.config, this.nextId, this.rng));
      this.nextId += this.parallelism;
      n++;
    }
    return n;
  }
}

export interface GenerateNexmarkOptions extends NexmarkConfigOptions, NexmarkSplitOptions {}

/** All events of a bounded stream (or of one subtask's slice of it), without any runtime. */
export function generateNexmarkEvents(options: GenerateNexmarkOptions): NexmarkEvent[] {
  if (!Number.isFinite(options.events)) {
    throw new NexmarkConfigError('generateNexmarkEvents needs a finite number of events');
  }
  const generator = new NexmarkSplitGenerator(options, options);
  const out: NexmarkEvent[] = [];
  generator.nextBatch(out, Number.MAX_SAFE_INTEGER);
  return out;
}
