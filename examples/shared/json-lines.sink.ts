/**
 * Where the examples write results: dataflow's exactly-once JSON Lines file sink. A path ending in
 * '/' or naming an existing directory gets part files (`part-<subtask>-<n>.jsonl`, made visible
 * when a checkpoint completes or the input ends); a path ending in `.jsonl` is one file, written by
 * one sink subtask. With `--checkpoint-interval`, output survives failures exactly once.
 */
import { statSync } from 'node:fs';
import { JsonLinesFileSink } from '@runnel/dataflow';

export function isDirectoryOutput(path: string): boolean {
  if (path.endsWith('/')) return true;
  try {
    return statSync(path).isDirectory();
  } catch {
    return !path.endsWith('.jsonl');
  }
}

/** The examples' sink is the dataflow one; the name stays for the examples' readers. */
export { JsonLinesFileSink as JsonLinesSink };
