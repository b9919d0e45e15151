// Runs one job on the local cluster once it is up (`npm start -- --run JOB ARGS…`): submits it
// with @runnel/client over NATS, prints its id and every state it goes through and — when the job
// wrote JSON Lines to `--output` — the first rows and the row count. A failed job is reported, not
// fatal: the cluster stays up either way, so the user can look at it through the REST API.

import { RunnelClient, type JobResult, type NatsCredentials } from '@runnel/client';
import type { JobId } from '@runnel/protocol';
import { resolve } from 'node:path';
import { outputPathOf, readJobOutput, resolvePathArgs } from '../cli/job-output.util';

export { outputPathOf, readJobOutput, resolvePathArgs };

export interface ClusterJobOptions {
  readonly natsUrl: string;
  /** NATS credentials of the client (with --secure: the `clients` user); default the NATS_* variables. */
  readonly credentials?: NatsCredentials;
  /** The job file (an ES module), relative to `cwd` or absolute. */
  readonly job: string;
  readonly args: readonly string[];
  readonly parallelism?: number;
  /** Where relative paths in the command line are taken from. */
  readonly cwd: string;
  readonly print: (line: string) => void;
  /** Rows of the output to print (default 20). */
  readonly previewRows?: number;
  /** Aborting stops following the job (the cluster is stopping); the job itself is left alone. */
  readonly signal?: AbortSignal;
}

export interface ClusterJobOutcome {
  readonly jobId?: JobId;
  readonly result?: JobResult;
  readonly error?: Error;
  readonly rows?: number;
}

export async function runClusterJob(options: ClusterJobOptions): Promise<ClusterJobOutcome> {
  const { print } = options;
  const args = resolvePathArgs(options.args, options.cwd);
  const job = resolve(options.cwd, options.job);
  const p = options.parallelism ? ` at parallelism ${options.parallelism}` : '';
  print(`==> running ${options.job}${p}${args.length ? ` with ${args.join(' ')}` : ''}`);
  let client: RunnelClient | undefined;
  let jobId: JobId | undefined;
  const onAbort = () => void client?.close().catch(() => undefined);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    client = await RunnelClient.connect(options.natsUrl, options.credentials ? { credentials: options.credentials } : {});
    // Files written before the submission are not this job's output (1 s of slack for coarse clocks).
    const since = Date.now() - 1000;
    jobId = await client.submit(job, { programArgs: args, ...(options.parallelism ? { parallelism: options.parallelism } : {}) });
    print(`job ${jobId} submitted`);
    const id = jobId;
    const result = await client.awaitResult(id, { onState: (state) => print(`job ${id}: ${state}`) });
    print(`job ${id} ${result.state} in ${(result.durationMs / 1000).toFixed(1)} s`);
    const output = outputPathOf(args);
    if (output === undefined || result.state !== 'FINISHED') return { jobId, result };
    const rows = readJobOutput(output, since);
    const shown = Math.min(rows.length, options.previewRows ?? 20);
    print(`output ${output}: ${rows.length} rows${shown < rows.length ? ` (the first ${shown})` : ''}`);
    for (const row of rows.slice(0, shown)) print(`  ${JSON.stringify(row)}`);
    return { jobId, result, rows: rows.length };
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    if (!options.signal?.aborted) print(`job ${jobId ?? '(not submitted)'}: ${err.message}`);
    return { jobId, error: err };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (!options.signal?.aborted) await client?.close().catch(() => undefined);
  }
}
