#!/usr/bin/env node
/**
 * The `runnel` command line. `run --local` and `info` run here; `run` (without --local), `list`,
 * `cancel`, `savepoint` and `stop` talk to a cluster's dispatcher over REST; `run-application`
 * starts a cluster of its own for one job and stops it when the job ends. Exit codes: 0 success,
 * 1 the job failed (or the cluster refused), 2 usage; run-application also 3 (job canceled) and
 * 130 / 143 (interrupted by SIGINT / SIGTERM).
 */
import { CliCommand, parseCliArgs, USAGE, type JobCommandArgs } from './cli.args';
import { CliExitCode, CliNotSupportedError, CliUsageError } from './cli.errors';
import { ClusterRequestError, cancelJob, listJobs, runOnCluster, savepoint } from './cluster.commands';
import { checkpoint, disposeSavepoint } from './checkpoint.commands';
import { printInfo, runLocal, type CommandIo } from './local-run.command';
import { runApplication } from './run-application.command';

const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  tty: process.stdout.isTTY === true,
};

async function dispatch(args: JobCommandArgs, io: CommandIo): Promise<number> {
  if (args.help || args.command === CliCommand.Help) {
    io.stdout(USAGE);
    return CliExitCode.Ok;
  }
  switch (args.command) {
    case CliCommand.Run:
      if (args.local && args.jobmanager !== undefined) throw new CliUsageError("'run' takes --local or -m, not both");
      if (args.local) {
        await runLocal(args, io);
        return CliExitCode.Ok;
      }
      return runOnCluster(args, io);
    case CliCommand.RunApplication:
      return runApplication(args, io);
    case CliCommand.Info:
      await printInfo(args, io);
      return CliExitCode.Ok;
    case CliCommand.List:
      return listJobs(args, io);
    case CliCommand.Cancel:
      return cancelJob(args, io);
    case CliCommand.Savepoint:
      return args.dispose !== undefined ? disposeSavepoint(args, io) : savepoint(args, io, false);
    case CliCommand.Checkpoint:
      return checkpoint(args, io);
    case CliCommand.Stop:
      return savepoint(args, io, true);
  }
}

/** The innermost cause is the user's error; its stack is what a user needs to see. */
function describeFailure(err: unknown): string {
  const chain: string[] = [];
  let current: unknown = err;
  let depth = 0;
  while (current instanceof Error && depth < 8) {
    const code = (current as { code?: unknown }).code;
    chain.push(`${current.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${current.message}`);
    if (current.cause === undefined) break;
    current = current.cause;
    depth++;
  }
  const root = current instanceof Error ? current.stack ?? String(current) : String(current);
  return chain.length > 1 ? `${chain.join('\n  caused by ')}\n\n${root}\n` : `${root}\n`;
}

export async function main(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  try {
    return await dispatch(parseCliArgs(argv), io);
  } catch (err) {
    if (err instanceof ClusterRequestError) {
      io.stderr(`runnel: ${err.message}\n`);
      return CliExitCode.JobFailed;
    }
    if (err instanceof CliUsageError || err instanceof CliNotSupportedError) {
      io.stderr(`runnel: ${err.message}\n`);
      if (err instanceof CliUsageError) io.stderr(`Run 'runnel --help' for usage.\n`);
      return err.exitCode;
    }
    io.stderr(`runnel: job failed\n${describeFailure(err)}`);
    return CliExitCode.JobFailed;
  }
}

/** Entry point of the bin shim and of `node tools/dist/cli/main.js`: sets the exit code. */
export function runCli(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  return main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`runnel: internal error: ${String(err)}\n`);
      process.exitCode = CliExitCode.JobFailed;
    },
  );
}

if (require.main === module) void runCli();
