/**
 * Turns a query — a function from the event stream to a result stream — into a job artifact's
 * default export. Queries stay importable on their own so the bench can feed them pre-generated
 * events.
 */
import type { DataStream, NexmarkEvent, StreamExecutionEnvironment } from '@runnel/dataflow';
import { parseExampleArgs } from './job.args';
import { applyCheckpointing, emitResults, nexmarkEvents } from './nexmark.input';

export type NexmarkQuery<R> = (events: DataStream<NexmarkEvent>) => DataStream<R>;
export type JobMain = (env: StreamExecutionEnvironment, args: string[]) => Promise<void>;

export function nexmarkJob<R>(jobName: string, query: NexmarkQuery<R>): JobMain {
  return async (env, rawArgs) => {
    const args = parseExampleArgs(rawArgs);
    applyCheckpointing(env, args);
    emitResults(query(nexmarkEvents(env, args)), args);
    await env.execute(jobName);
  };
}

/** Start of the epoch-aligned window of `size` ms containing `t`. */
export function windowStartOf(t: number, size: number): number {
  return t - (((t % size) + size) % size);
}
