/**
 * JSON Lines file sink: one `part-<subtask>.jsonl` per parallel instance under a directory, or a
 * single file when the path ends in ".jsonl" and the sink runs with parallelism 1. Each input
 * batch becomes one write. (Exactly-once part-file commits come with checkpoints.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Sink, SinkWriter, SinkWriterContext } from './source.types';

export class JsonLinesFileSink<T> implements Sink<T> {
  constructor(readonly outputPath: string) {}

  /** The file a given subtask writes. */
  fileFor(subtaskIndex: number, parallelism: number): string {
    const abs = path.resolve(this.outputPath);
    if (parallelism === 1 && abs.endsWith('.jsonl')) return abs;
    return path.join(abs, `part-${subtaskIndex}.jsonl`);
  }

  async createWriter(ctx: SinkWriterContext): Promise<SinkWriter<T>> {
    const file = this.fileFor(ctx.subtaskIndex, ctx.parallelism);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const fh = await fs.promises.open(file, 'w');
    return {
      write: async (values) => {
        let text = '';
        for (const v of values) text += JSON.stringify(v) + '\n';
        await fh.write(text);
      },
      finish: () => fh.sync(),
      close: () => fh.close(),
    };
  }

  describe(): Record<string, unknown> {
    return { type: 'json-lines-file', path: this.outputPath };
  }
}
