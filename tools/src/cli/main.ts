#!/usr/bin/env node
/**
 * The `runnel` command line. Local commands run here; cluster commands (`run -m`, `list`,
 * `cancel`) have their place in the dispatch below and answer "not yet supported" (exit 2) until
 * the dispatcher's REST client exists. Exit codes: 0 success, 1 the job failed, 2 usage.
 */
import { CliCommand, parseCliArgs, USAGE, type JobCommandArgs } from './cli.args';
import { CliExitCode, CliNotSupportedError, CliUsageError } from './cli.errors';
import { printInfo, runLocal, type CommandIo } from './local-run.command';

const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

async function dispatch(args: JobCommandArgs, io: CommandIo): Promise<void> {
  if (args.help || args.command === CliCommand.Help) {
    io.stdout(USAGE);
    return;
  }
  switch (args.command) {
    case CliCommand.Run:
      if (args.jobmanager !== undefined) throw new CliNotSupportedError(`submitting to a cluster (-m ${args.jobmanager})`);
      if (!args.local) throw new CliUsageError("'run' needs --local (cluster submission with -m is not yet supported)");
      return runLocal(args, io);
    case CliCommand.Info:
      return printInfo(args, io);
    case CliCommand.List:
      throw new CliNotSupportedError("'list' (cluster jobs)");
    case CliCommand.Cancel:
      throw new CliNotSupportedError("'cancel' (cluster jobs)");
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
    await dispatch(parseCliArgs(argv), io);
    return CliExitCode.Ok;
  } catch (err) {
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
