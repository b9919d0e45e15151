/**
 * `runnel run --local` and `runnel info`: load a job artifact with the dataflow loader (esbuild
 * bundle, @runnel/dataflow bound to this process's copy), then either run it on the embedded
 * executor — the job's own env.execute() call runs it — or print the plan it builds.
 */
import { existsSync } from 'node:fs';
import {
  buildJobGraph,
  loadJobModule,
  StreamExecutionEnvironment,
} from '@runnel/dataflow';
import { CliUsageError } from './cli.errors';
import type { JobCommandArgs } from './cli.args';
import { formatPlan } from './plan.format';

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Output is a terminal: progress is redrawn in place. */
  tty?: boolean;
}

function requireJob(args: JobCommandArgs): string {
  if (args.job === undefined) throw new CliUsageError(`'${args.command}' needs a job file (e.g. examples/word-count.ts)`);
  if (!existsSync(args.job)) throw new CliUsageError(`job file not found: ${args.job}`);
  return args.job;
}

export async function runLocal(args: JobCommandArgs, io: CommandIo): Promise<void> {
  const job = requireJob(args);
  const module = await loadJobModule(job);
  const env = StreamExecutionEnvironment.createLocalEnvironment(args.parallelism ?? 1);
  const started = Date.now();
  await module.main(env, args.jobArgs);
  io.stderr(`Job finished in ${Date.now() - started} ms\n`);
}

export async function printInfo(args: JobCommandArgs, io: CommandIo): Promise<void> {
  const job = requireJob(args);
  const module = await loadJobModule(job);
  const { jobGraph, hash } = await buildJobGraph(module, args.jobArgs, { parallelism: args.parallelism ?? 1 });
  io.stdout(args.json ? JSON.stringify({ hash, jobGraph }, null, 2) + '\n' : formatPlan(jobGraph, hash));
}
