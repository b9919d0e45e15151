/**
 * Bounded sources over in-memory data: fromElements/fromCollection, fromSequence, and a generator.
 * Positions of the collection and sequence readers are the *remaining ranges* of the input, which
 * is independent of parallelism, so a checkpoint taken at parallelism p can be redistributed to
 * any other parallelism (`redistributePositions`).
 */
import { Boundedness, type Source, type SourceReader, type SourceReaderContext } from './source.types';

/** Remaining half-open index ranges [from, to). */
export interface RangePosition {
  readonly ranges: [number, number][];
}

/** Splits [0, n) into `parallelism` contiguous ranges; subtask i gets the i-th. */
function split(n: number, parallelism: number, index: number): [number, number] {
  const start = Math.floor((n * index) / parallelism);
  return [start, Math.floor((n * (index + 1)) / parallelism)];
}

/** Re-splits the union of remaining ranges into `parallelism` parts of (nearly) equal size. */
export function redistributeRanges(positions: readonly (RangePosition | undefined)[], parallelism: number): RangePosition[] {
  const all = positions.flatMap((p) => p?.ranges ?? []).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const total = all.reduce((n, [a, b]) => n + (b - a), 0);
  const out: RangePosition[] = [];
  let r = 0;
  let offset = all.length ? all[0][0] : 0;
  for (let i = 0; i < parallelism; i++) {
    let want = Math.floor((total * (i + 1)) / parallelism) - Math.floor((total * i) / parallelism);
    const ranges: [number, number][] = [];
    while (want > 0 && r < all.length) {
      const [, b] = all[r];
      const take = Math.min(want, b - offset);
      ranges.push([offset, offset + take]);
      want -= take;
      offset += take;
      if (offset >= b) {
        r++;
        offset = r < all.length ? all[r][0] : offset;
      }
    }
    out.push({ ranges });
  }
  return out;
}

/** Reads indices of remaining ranges in order; `emit(i)` turns an index into a record. */
class RangeReader<T> implements SourceReader<T, RangePosition> {
  private ranges: [number, number][];
  constructor(
    initial: [number, number],
    private readonly emit: (index: number) => T,
  ) {
    this.ranges = initial[1] > initial[0] ? [initial] : [];
  }
  pollBatch(max: number): readonly T[] | null {
    if (this.ranges.length === 0) return null;
    const out: T[] = [];
    while (out.length < max && this.ranges.length) {
      const r = this.ranges[0];
      const end = Math.min(r[1], r[0] + (max - out.length));
      for (let i = r[0]; i < end; i++) out.push(this.emit(i));
      if (end >= r[1]) this.ranges.shift();
      else this.ranges[0] = [end, r[1]];
    }
    return out;
  }
  position(): RangePosition {
    return { ranges: this.ranges.map(([a, b]) => [a, b]) };
  }
  restore(position: RangePosition): void {
    this.ranges = position.ranges.filter(([a, b]) => b > a).map(([a, b]) => [a, b]);
  }
}

/** Elements of an array, split in contiguous slices across parallel readers. */
export class CollectionSource<T> implements Source<T, RangePosition> {
  readonly boundedness = Boundedness.Bounded;
  readonly defaultParallelism = 1;
  constructor(private readonly items: readonly T[]) {}
  createReader(ctx: SourceReaderContext): SourceReader<T, RangePosition> {
    return new RangeReader(split(this.items.length, ctx.parallelism, ctx.subtaskIndex), (i) => this.items[i]);
  }
  redistributePositions(positions: readonly (RangePosition | undefined)[], parallelism: number): RangePosition[] {
    return redistributeRanges(positions, parallelism);
  }
  describe(): Record<string, unknown> {
    return { type: 'collection', size: this.items.length };
  }
}

/** Numbers from..to inclusive, split in contiguous ranges across parallel readers. */
export class SequenceSource implements Source<number, RangePosition> {
  readonly boundedness = Boundedness.Bounded;
  constructor(
    readonly from: number,
    readonly to: number,
  ) {}
  createReader(ctx: SourceReaderContext): SourceReader<number, RangePosition> {
    const n = Math.max(0, this.to - this.from + 1);
    const [a, b] = split(n, ctx.parallelism, ctx.subtaskIndex);
    const from = this.from;
    return new RangeReader([a, b], (i) => from + i);
  }
  redistributePositions(positions: readonly (RangePosition | undefined)[], parallelism: number): RangePosition[] {
    return redistributeRanges(positions, parallelism);
  }
  describe(): Record<string, unknown> {
    return { type: 'sequence', from: this.from, to: this.to };
  }
}

/**
 * Generator source: record i is `generate(i)` for i in [0, count) (count undefined = unbounded).
 * Subtask s produces the indices i ≡ s (mod parallelism); its position is the next such index
 * (so it cannot be rescaled).
 */
export class GeneratorSource<T> implements Source<T, number> {
  readonly boundedness: Boundedness;
  constructor(
    private readonly generate: (index: number) => T,
    readonly count?: number,
  ) {
    this.boundedness = count === undefined ? Boundedness.Continuous : Boundedness.Bounded;
  }
  createReader(ctx: SourceReaderContext): SourceReader<T, number> {
    const { generate, count } = this;
    let i = ctx.subtaskIndex;
    return {
      pollBatch(max) {
        if (count !== undefined && i >= count) return null;
        const out: T[] = [];
        while (out.length < max && (count === undefined || i < count)) {
          out.push(generate(i));
          i += ctx.parallelism;
        }
        return out;
      },
      position: () => i,
      restore: (p) => {
        i = p;
      },
    };
  }
  describe(): Record<string, unknown> {
    return { type: 'generator', count: this.count ?? null };
  }
}
