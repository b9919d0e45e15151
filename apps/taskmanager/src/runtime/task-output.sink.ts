/**
 * Where the console output of user code goes: a TaskManager's `<LOG_DIR>/<LOG_NAME>.out` (Flink's
 * taskmanager.out, served as /taskmanagers/:id/stdout), each line prefixed with the time and the
 * tasks of the slot that printed it — a slot's worker runs one subtask of each vertex of its slice,
 * so the line names them all. Without LOG_DIR the lines go to the TaskManager's own stdout/stderr.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export type OutputStream = 'stdout' | 'stderr';

export class TaskOutputSink {
  private readonly file?: WriteStream;

  constructor(path: string | undefined) {
    if (path) {
      mkdirSync(dirname(path), { recursive: true });
      this.file = createWriteStream(path, { flags: 'a' });
      this.file.on('error', () => undefined); // a full disk must not take the TaskManager down
    }
  }

  write(stream: OutputStream, text: string): void {
    if (this.file) this.file.write(text);
    else (stream === 'stderr' ? process.stderr : process.stdout).write(text);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.file ? this.file.end(resolve) : resolve()));
  }
}

/** Splits a worker's output into lines and prefixes each; a partial last line waits for the rest. */
export class LinePrefixer {
  private carry = '';

  constructor(
    private readonly stream: OutputStream,
    private readonly prefix: () => string,
    private readonly sink: Pick<TaskOutputSink, 'write'>,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.carry + chunk.toString();
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      // A line without an end for too long is written as it is (no unbounded buffer).
      if (text.length > 65_536) this.emit(text + '\n');
      else this.carry = text;
      return;
    }
    this.carry = text.slice(end + 1);
    this.emit(text.slice(0, end + 1));
  }

  flush(): void {
    if (this.carry) this.emit(this.carry + '\n');
    this.carry = '';
  }

  private emit(lines: string): void {
    const head = `${new Date().toISOString()} [${this.prefix()}]${this.stream === 'stderr' ? ' (stderr)' : ''} `;
    const body = lines.endsWith('\n') ? lines.slice(0, -1) : lines;
    this.sink.write(this.stream, head + body.split('\n').join(`\n${head}`) + '\n');
  }
}
