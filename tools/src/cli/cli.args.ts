/**
 * Argument parsing for `runnel <command> [options] <job> [job args...]`. Options before the job
 * path belong to the CLI (validated with node:util parseArgs); everything after the job path is
 * handed to the job untouched, so jobs may reuse option names such as `-p` freely.
 */
import { parseArgs } from 'node:util';
import { CliUsageError } from './cli.errors';

export const CliCommand = {
  Run: 'run',
  Info: 'info',
  List: 'list',
  Cancel: 'cancel',
  Help: 'help',
} as const;
export type CliCommand = (typeof CliCommand)[keyof typeof CliCommand];

const CLI_OPTIONS = {
  local: { type: 'boolean' },
  parallelism: { type: 'string', short: 'p' },
  jobmanager: { type: 'string', short: 'm' },
  detached: { type: 'boolean', short: 'd' },
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
} as const;

/** Options that take a value, by every spelling, so the job path is found after them. */
const VALUE_OPTIONS = new Set(['-p', '--parallelism', '-m', '--jobmanager']);

export interface JobCommandArgs {
  command: CliCommand;
  local: boolean;
  parallelism?: number;
  /** `host:port` or URL of a cluster's REST endpoint (cluster mode, not yet supported). */
  jobmanager?: string;
  detached: boolean;
  help: boolean;
  /** `info`: print the JobGraph as JSON instead of the readable plan. */
  json: boolean;
  /** Job artifact path (a .ts/.mts/.js/.mjs module), absent for list/help. */
  job?: string;
  jobArgs: string[];
}

function splitAtJob(argv: readonly string[]): { cliArgs: string[]; job?: string; jobArgs: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') return { cliArgs: argv.slice(0, i), job: argv[i + 1], jobArgs: argv.slice(i + 2) };
    if (!token.startsWith('-')) return { cliArgs: argv.slice(0, i), job: token, jobArgs: argv.slice(i + 1) };
    if (VALUE_OPTIONS.has(token)) i++;
  }
  return { cliArgs: [...argv], jobArgs: [] };
}

export function parseCliArgs(argv: readonly string[]): JobCommandArgs {
  const [command, ...rest] = argv;
  const known = Object.values(CliCommand) as string[];
  if (command === undefined || command === '--help' || command === '-h') {
    return { command: CliCommand.Help, local: false, detached: false, help: true, json: false, jobArgs: [] };
  }
  if (!known.includes(command)) throw new CliUsageError(`unknown command '${command}' (expected one of ${known.join(', ')})`);
  const { cliArgs, job, jobArgs } = splitAtJob(rest);
  let values: { local?: boolean; parallelism?: string; jobmanager?: string; detached?: boolean; help?: boolean; json?: boolean };
  try {
    ({ values } = parseArgs({ args: cliArgs, options: CLI_OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new CliUsageError((err as Error).message);
  }
  let parallelism: number | undefined;
  if (values.parallelism !== undefined) {
    parallelism = Number(values.parallelism);
    if (!Number.isInteger(parallelism) || parallelism < 1) {
      throw new CliUsageError(`-p/--parallelism must be a positive integer, got '${values.parallelism}'`);
    }
  }
  return {
    command: command as CliCommand,
    local: values.local ?? false,
    parallelism,
    jobmanager: values.jobmanager,
    detached: values.detached ?? false,
    help: values.help ?? false,
    json: values.json ?? false,
    job,
    jobArgs,
  };
}

export const USAGE = `Usage: runnel <command> [options] [<job> [job args...]]

Commands:
  run --local [-p N] <job> [args...]   run a job on the embedded executor (in this process)
  run -m <host:port> <job> [args...]   submit a job to a cluster          (not yet supported)
  info [-p N] [--json] <job> [args...] print the job's plan (JobGraph) without running it
  list -m <host:port>                  list a cluster's jobs               (not yet supported)
  cancel -m <host:port> <jobId>        cancel a job                        (not yet supported)

Options:
  --local              run in this process with the embedded executor
  -p, --parallelism N  default parallelism of the job's operators
  -m, --jobmanager     cluster REST endpoint
  -h, --help           show this help

<job> is an ES module (.ts, .mts, .js, .mjs) whose default export is (env, args) => void.
Arguments after <job> go to the job.
`;
