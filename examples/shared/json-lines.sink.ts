/**
 * Writes records as JSON Lines. A path ending in '/' gets one part file per sink subtask
 * (`part-<i>.jsonl`); any other path is a single file, which needs a sink parallelism of 1 (the
 * examples set it so).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Sink, SinkWriter, SinkWriterContext } from '@runnel/dataflow';

/**
 * Decided from the path's spelling only, never from the file system: the graph (and its sink
 * parallelism) must come out the same when a worker rebuilds it after the job started writing.
 */
export function isDirectoryOutput(path: string): boolean {
  return path.endsWith('/') || path.endsWith(sep);
}

export class JsonLinesSink<T> implements Sink<T> {
  constructor(readonly path: string) {}

  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    let file = this.path;
    if (isDirectoryOutput(this.path)) {
      mkdirSync(this.path, { recursive: true });
      file = join(this.path, `part-${ctx.subtaskIndex}.jsonl`);
    }
    const fd = openSync(file, 'w');
    let open = true;
    return {
      write(values) {
        let text = '';
        for (let i = 0; i < values.length; i++) text += JSON.stringify(values[i]) + '\n';
        if (text.length > 0) writeSync(fd, text);
      },
      close() {
        if (open) closeSync(fd);
        open = false;
      },
      finish() {
        if (open) closeSync(fd);
        open = false;
      },
    };
  }

  describe(): Record<string, unknown> {
    return { type: 'json-lines', path: this.path };
  }
}
