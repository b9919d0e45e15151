/**
 * A bounded source over the lines of a local file. Reader i of n takes lines i, i+n, … so every
 * reader sees its share of one file in file order (event time stays ordered per reader) and a
 * single input file is still read in parallel. The file is streamed in chunks; a reader's
 * position is the byte offset and index of the next line, so a restored reader continues exactly
 * after the last line it emitted. Blank lines are skipped; a final line without '\n' counts.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { Boundedness, type Source, type SourceReader, type SourceReaderContext } from '@runnel/dataflow';

export interface LineFilePosition {
  /** Byte offset of the next line not yet consumed. */
  readonly offset: number;
  /** Index (0-based, counting every line) of that line. */
  readonly line: number;
}

const CHUNK_BYTES = 256 * 1024;
const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

class LineFileReader<T> implements SourceReader<T, LineFilePosition> {
  private fd?: number;
  private pending: Buffer = Buffer.alloc(0);
  /** Start of the next line inside `pending`. */
  private cursor = 0;
  private offset = 0;
  private line = 0;
  private eof = false;
  private done = false;
  private readonly chunk = Buffer.allocUnsafe(CHUNK_BYTES);

  constructor(
    private readonly path: string,
    private readonly parse: (line: string) => T,
    private readonly ctx: SourceReaderContext,
  ) {}

  pollBatch(max: number): readonly T[] | null {
    if (this.done) return null;
    const { subtaskIndex, parallelism } = this.ctx;
    const out: T[] = [];
    while (out.length < max) {
      let end = this.pending.indexOf(NEWLINE, this.cursor);
      if (end < 0) {
        if (!this.eof) {
          this.fill();
          continue;
        }
        if (this.cursor >= this.pending.length) {
          this.finish();
          break;
        }
        end = this.pending.length; // last line without a newline
      }
      if (this.line % parallelism === subtaskIndex) {
        let stop = end;
        if (stop > this.cursor && this.pending[stop - 1] === CARRIAGE_RETURN) stop--;
        const text = this.pending.toString('utf8', this.cursor, stop);
        if (text.trim().length > 0) out.push(this.parse(text));
      }
      this.offset += end + 1 - this.cursor;
      this.cursor = end + 1;
      this.line++;
    }
    return out.length === 0 && this.done ? null : out;
  }

  /** Reads the next chunk after what is pending (opened lazily: a plan never touches the file). */
  private fill(): void {
    if (this.fd === undefined) this.fd = openSync(this.path, 'r');
    const rest = this.pending.subarray(this.cursor);
    const n = readSync(this.fd, this.chunk, 0, CHUNK_BYTES, this.offset + rest.length);
    if (n === 0) this.eof = true;
    this.pending = n === 0 ? rest : Buffer.concat([rest, this.chunk.subarray(0, n)]);
    this.cursor = 0;
  }

  private finish(): void {
    this.done = true;
    this.close();
  }

  position(): LineFilePosition {
    return { offset: this.offset, line: this.line };
  }

  restore(position: LineFilePosition): void {
    this.close();
    this.offset = position.offset;
    this.line = position.line;
    this.pending = Buffer.alloc(0);
    this.cursor = 0;
    this.eof = false;
    this.done = false;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export class LineFileSource<T> implements Source<T, LineFilePosition> {
  readonly boundedness = Boundedness.Bounded;

  constructor(
    readonly path: string,
    private readonly parse: (line: string) => T,
  ) {}

  createReader(ctx: SourceReaderContext): SourceReader<T, LineFilePosition> {
    return new LineFileReader(this.path, this.parse, ctx);
  }

  describe(): Record<string, unknown> {
    return { type: 'line-file', path: this.path };
  }
}
