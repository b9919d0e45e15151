/**
 * JSON Lines file source (bounded). Takes a file, a directory (all *.jsonl / *.ndjson files in it)
 * or a glob with wildcards in the file name ("data/bids-*.jsonl"). Files are split across parallel
 * readers (file i goes to reader i mod parallelism); a reader's position is its remaining files
 * with the byte offset of the next line, so a restored reader resumes exactly after the last
 * emitted record, and positions can be redistributed to another parallelism (whole files move).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError } from '../core/dataflow.errors';
import { Boundedness, type Source, type SourceReader, type SourceReaderContext } from './source.types';

/** Remaining input of a reader: files with the byte offset of the next line (0 = not started). */
export interface JsonLinesFilePosition {
  readonly files: [string, number][];
}

export interface JsonLinesFileSourceOptions<T> {
  /** Turns a parsed line into a record (default: the parsed JSON value). */
  readonly map?: (parsed: unknown) => T;
  /** Bytes read per system call. */
  readonly chunkSize?: number;
}

/** Resolves a path, directory or file-name glob to a sorted list of files. */
export function resolveFiles(pattern: string): string[] {
  const abs = path.resolve(pattern);
  if (!/[*?]/.test(abs)) {
    if (fs.existsSync(abs) && fs.statSync(abs).isDirectory())
      return fs
        .readdirSync(abs)
        .filter((f) => /\.(jsonl|ndjson)$/.test(f))
        .sort()
        .map((f) => path.join(abs, f));
    return [abs];
  }
  const dir = path.dirname(abs);
  if (/[*?]/.test(dir)) throw new InvalidArgumentError(`wildcards are supported in the file name only: ${pattern}`);
  const re = new RegExp('^' + path.basename(abs).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return fs
    .readdirSync(dir)
    .filter((f) => re.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

class JsonLinesReader<T> implements SourceReader<T, JsonLinesFilePosition> {
  private files: string[];
  private fileIndex = 0;
  private offset = 0;
  /** Where to start reading each file (non-zero only for files restored mid-way). */
  private startOffsets = new Map<string, number>();
  private fd?: number;
  private pending: Buffer = Buffer.alloc(0);
  private readonly chunk: Buffer;

  constructor(
    files: readonly string[],
    private readonly map: (parsed: unknown) => T,
    chunkSize: number,
  ) {
    this.files = [...files];
    this.chunk = Buffer.alloc(chunkSize);
  }

  pollBatch(max: number): readonly T[] | null {
    const out: T[] = [];
    while (out.length < max) {
      if (this.fileIndex >= this.files.length) return out.length ? out : null;
      if (this.fd === undefined) this.fd = fs.openSync(this.files[this.fileIndex], 'r');
      const nl = this.pending.indexOf(10);
      if (nl < 0) {
        const n = fs.readSync(this.fd, this.chunk, 0, this.chunk.length, this.offset + this.pending.length);
        if (n > 0) {
          this.pending = Buffer.concat([this.pending, this.chunk.subarray(0, n)]);
          continue;
        }
        // End of file: a last line without a trailing newline still counts.
        if (this.pending.length > 0) this.emitLine(this.pending, out);
        this.nextFile();
        continue;
      }
      const line = this.pending.subarray(0, nl);
      this.pending = this.pending.subarray(nl + 1);
      this.offset += nl + 1;
      this.emitLine(line, out);
    }
    return out;
  }

  private emitLine(line: Buffer, out: T[]): void {
    const text = line.toString('utf8').trim();
    if (text) {
      try {
        out.push(this.map(JSON.parse(text)));
      } catch (err) {
        throw new InvalidArgumentError(`${this.files[this.fileIndex]} at byte ${this.offset}: invalid JSON line: ${(err as Error).message}`);
      }
    }
  }

  private nextFile(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    this.fileIndex++;
    this.offset = this.fileIndex < this.files.length ? (this.startOffsets.get(this.files[this.fileIndex]) ?? 0) : 0;
    this.pending = Buffer.alloc(0);
  }

  position(): JsonLinesFilePosition {
    return { files: this.files.slice(this.fileIndex).map((f, i): [string, number] => [f, i === 0 ? this.offset : (this.startOffsets.get(f) ?? 0)]) };
  }
  restore(p: JsonLinesFilePosition): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    this.files = p.files.map(([f]) => f);
    this.fileIndex = 0;
    this.offset = p.files[0]?.[1] ?? 0;
    this.pending = Buffer.alloc(0);
    // After redistribution one reader may hold several partly read files.
    this.startOffsets = new Map(p.files);
  }
  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

export class JsonLinesFileSource<T = unknown> implements Source<T, JsonLinesFilePosition> {
  readonly boundedness = Boundedness.Bounded;
  constructor(
    readonly pathOrGlob: string,
    private readonly options: JsonLinesFileSourceOptions<T> = {},
  ) {}
  createReader(ctx: SourceReaderContext): SourceReader<T, JsonLinesFilePosition> {
    const files = resolveFiles(this.pathOrGlob).filter((_, i) => i % ctx.parallelism === ctx.subtaskIndex);
    return new JsonLinesReader(files, this.options.map ?? ((v) => v as T), this.options.chunkSize ?? 64 * 1024);
  }
  /** Remaining files of all old readers are dealt round-robin to the new readers. */
  redistributePositions(positions: readonly (JsonLinesFilePosition | undefined)[], parallelism: number): JsonLinesFilePosition[] {
    const remaining = positions.flatMap((p) => p?.files ?? []);
    return Array.from({ length: parallelism }, (_, i) => ({ files: remaining.filter((_, j) => j % parallelism === i) }));
  }
  describe(): Record<string, unknown> {
    return { type: 'json-lines-file', path: this.pathOrGlob };
  }
}
