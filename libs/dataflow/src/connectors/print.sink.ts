/** print(): one line per record on stdout, prefixed by the subtask when parallel (like Flink's "2> "). */
import type { Sink, SinkWriter, SinkWriterContext } from './source.types';

export class PrintSink<T> implements Sink<T> {
  constructor(
    private readonly prefix?: string,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {}
  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    const head = (this.prefix ? `${this.prefix}:` : '') + (ctx.parallelism > 1 ? `${ctx.subtaskIndex + 1}> ` : this.prefix ? ' ' : '');
    return {
      write: (values) => {
        let text = '';
        for (const v of values) text += head + (typeof v === 'string' ? v : JSON.stringify(v)) + '\n';
        if (text) this.write(text);
      },
    };
  }
  describe(): Record<string, unknown> {
    return { type: 'print', prefix: this.prefix ?? null };
  }
}
