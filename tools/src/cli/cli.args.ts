/**
 * Argument parsing for `runnel <command> [options] <job> [job args...]`. Options before the job
 * path belong to the CLI (validated with node:util parseArgs); everything after the job path is
 * handed to the job untouched, so jobs may reuse option names such as `-p` freely.
 */
import { parseArgs } from 'node:util';
import { CliUsageError } from './cli.errors';

export const CliCommand = {
  Run: 'run',
  RunApplication: 'run-application',
  Info: 'info',
  List: 'list',
  Cancel: 'cancel',
  Savepoint: 'savepoint',
  Checkpoint: 'checkpoint',
  Stop: 'stop',
  Help: 'help',
} as const;
export type CliCommand = (typeof CliCommand)[keyof typeof CliCommand];

const CLI_OPTIONS = {
  local: { type: 'boolean' },
  parallelism: { type: 'string', short: 'p' },
  jobmanager: { type: 'string', short: 'm' },
  token: { type: 'string' },
  ca: { type: 'string' },
  detached: { type: 'boolean', short: 'd' },
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  'from-savepoint': { type: 'string', short: 's' },
  'allow-non-restored-state': { type: 'boolean', short: 'n' },
  drain: { type: 'boolean' },
  'target-directory': { type: 'string' },
  target: { type: 'string', short: 't' },
  slots: { type: 'string' },
  taskmanagers: { type: 'string' },
  'data-dir': { type: 'string' },
  // Flink's `list -r/-s/-a` and `savepoint -d`: long forms only, -s and -d already mean --from-savepoint and --detached.
  running: { type: 'boolean' },
  scheduled: { type: 'boolean' },
  all: { type: 'boolean' },
  dispose: { type: 'string' },
} as const;

/** Options that take a value, by every spelling, so the job path is found after them. */
const VALUE_OPTIONS = new Set(['-p', '--parallelism', '-m', '--jobmanager', '--token', '--ca', '-s', '--from-savepoint', '--target-directory', '-t', '--target', '--slots', '--taskmanagers', '--data-dir', '--dispose']);

export interface JobCommandArgs {
  command: CliCommand;
  local: boolean;
  parallelism?: number;
  /** `host:port` or URL of a cluster's REST endpoint (cluster mode, not yet supported). */
  jobmanager?: string;
  /** Bearer token for the cluster's REST API (else RUNNEL_TOKEN, else the local cluster's). */
  token?: string;
  /** PEM file of a CA to trust for an https:// cluster (else RUNNEL_CA). */
  ca?: string;
  detached: boolean;
  help: boolean;
  /** `info`: print the JobGraph as JSON instead of the readable plan. */
  json: boolean;
  fromSavepoint?: string;
  allowNonRestoredState: boolean;
  drain: boolean;
  targetDirectory?: string;
  /** `run`: `session` (default) or `per-job` (TaskManagers started for this job alone). */
  target?: 'session' | 'per-job';
  /** `run-application`: slots per TaskManager of the application's own cluster. */
  slots?: number;
  /** `run-application`: TaskManagers of the application's own cluster. */
  taskmanagers?: number;
  /** `run-application`: where its private NATS/Postgres data and logs go (kept afterwards). */
  dataDir?: string;
  /** `list`: which jobs (none set: all of them). */
  running?: boolean;
  scheduled?: boolean;
  all?: boolean;
  /** `savepoint --dispose <path>`: delete that savepoint instead of taking one. */
  dispose?: string;
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

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new CliUsageError(`${name} must be a positive integer, got '${value}'`);
  return n;
}

function parseTarget(value: string): 'session' | 'per-job' {
  if (value === 'session' || value === 'per-job') return value;
  throw new CliUsageError(`--target must be session or per-job, got '${value}'`);
}

export function parseCliArgs(argv: readonly string[]): JobCommandArgs {
  const [command, ...rest] = argv;
  const known = Object.values(CliCommand) as string[];
  if (command === undefined || command === '--help' || command === '-h') {
    return { command: CliCommand.Help, local: false, detached: false, help: true, json: false, allowNonRestoredState: false, drain: false, jobArgs: [] };
  }
  if (!known.includes(command)) throw new CliUsageError(`unknown command '${command}' (expected one of ${known.join(', ')})`);
  const { cliArgs, job, jobArgs } = splitAtJob(rest);
  let values: {
    local?: boolean; parallelism?: string; jobmanager?: string; token?: string; ca?: string; detached?: boolean; help?: boolean; json?: boolean;
    'from-savepoint'?: string; 'allow-non-restored-state'?: boolean; drain?: boolean; 'target-directory'?: string; target?: string;
    slots?: string; taskmanagers?: string; 'data-dir'?: string; running?: boolean; scheduled?: boolean; all?: boolean; dispose?: string;
  };
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
  const clusterOptions = (['slots', 'taskmanagers', 'data-dir'] as const).filter((name) => values[name] !== undefined);
  if (command === CliCommand.RunApplication) {
    const foreign = (['local', 'jobmanager', 'detached', 'json', 'from-savepoint', 'allow-non-restored-state', 'drain', 'target-directory', 'target', 'token', 'ca'] as const)
      .filter((name) => values[name] !== undefined);
    if (foreign.length > 0) throw new CliUsageError(`'run-application' does not take --${foreign[0]}`);
  } else if (clusterOptions.length > 0) {
    throw new CliUsageError(`--${clusterOptions[0]} applies to 'run-application' only`);
  }
  if (values['data-dir'] === '') throw new CliUsageError('--data-dir needs a directory');
  const listOptions = (['running', 'scheduled', 'all'] as const).filter((name) => values[name] !== undefined);
  if (listOptions.length > 0 && command !== CliCommand.List) throw new CliUsageError(`--${listOptions[0]} applies to 'list' only`);
  if (values.dispose !== undefined && command !== CliCommand.Savepoint) throw new CliUsageError(`--dispose applies to 'savepoint' only`);
  if (values.dispose === '') throw new CliUsageError('--dispose needs a savepoint path');
  if (values.dispose !== undefined && job !== undefined) throw new CliUsageError(`'savepoint --dispose <path>' takes no job id`);
  return {
    command: command as CliCommand,
    local: values.local ?? false,
    parallelism,
    jobmanager: values.jobmanager,
    ...(values.token !== undefined ? { token: values.token } : {}),
    ...(values.ca !== undefined ? { ca: values.ca } : {}),
    detached: values.detached ?? false,
    help: values.help ?? false,
    json: values.json ?? false,
    fromSavepoint: values['from-savepoint'],
    allowNonRestoredState: values['allow-non-restored-state'] ?? false,
    drain: values.drain ?? false,
    targetDirectory: values['target-directory'],
    ...(values.target !== undefined ? { target: parseTarget(values.target) } : {}),
    ...(values.slots !== undefined ? { slots: positiveInt('--slots', values.slots) } : {}),
    ...(values.taskmanagers !== undefined ? { taskmanagers: positiveInt('--taskmanagers', values.taskmanagers) } : {}),
    ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
    ...(values.running ? { running: true } : {}),
    ...(values.scheduled ? { scheduled: true } : {}),
    ...(values.all ? { all: true } : {}),
    ...(values.dispose !== undefined ? { dispose: values.dispose } : {}),
    job,
    jobArgs,
  };
}

export const USAGE = `Usage: runnel <command> [options] [<job> [job args...]]

Commands:
  run --local [-p N] <job> [args...]        run a job on the embedded executor (in this process)
  run [-m URL] [-p N] [-d] [-s PATH] [-t per-job] <job> [args...]
                                            upload and run a job on a cluster, follow it to its end
  run-application [-p N] [--slots S] [--taskmanagers N] [--data-dir DIR] <job> [args...]
                                            application mode: start a cluster of its own for this
                                            job, run the job in it, stop everything when it ends
  info [-p N] [--json] <job> [args...]      print the job's plan (JobGraph) without running it
  list [-m URL] [--running] [--scheduled] [--all]
                                            list a cluster's jobs (all of them unless a filter is
                                            given: --running, --scheduled (created, initializing))
  cancel [-m URL] <jobId>                   cancel a job
  savepoint [-m URL] [--target-directory DIR] <jobId>
                                            take a savepoint of a running job
  savepoint [-m URL] --dispose PATH         delete a savepoint (savepoint://… or its directory)
  checkpoint [-m URL] <jobId>               take a checkpoint of a running job now
  stop [-m URL] [--drain] [--target-directory DIR] <jobId>
                                            stop a job with a savepoint

Options:
  --local                        run in this process with the embedded executor
  -p, --parallelism N            default parallelism of the job's operators
  -m, --jobmanager URL           cluster REST endpoint (default http://127.0.0.1:8081; https:// too)
  --token TOKEN                  bearer token of the cluster's REST API (default RUNNEL_TOKEN; for
                                 a cluster on localhost, <repo>/.runnel/secrets/rest-token if any)
  --ca FILE                      PEM CA certificate to trust for an https:// cluster (RUNNEL_CA)
  -d, --detached                 return once the job is submitted
  -s, --from-savepoint PATH      start from a savepoint (a path GET /savepoints lists, or a directory)
  -n, --allow-non-restored-state start even if some savepoint state maps onto no operator
  -t, --target session|per-job   per-job: on TaskManagers started for this job alone (the cluster's
                                 ResourceManager needs --resource-provider process)
  --slots S                      run-application: slots per TaskManager (default 2)
  --taskmanagers N               run-application: TaskManagers (default enough for -p: ceil(N/S))
  --data-dir DIR                 run-application: data and logs of its cluster, kept afterwards
                                 (default a fresh directory under the system temp dir, removed)
  -h, --help                     show this help

run-application uses NATS_URL / DATABASE_URL when set (a database of its own, runnel_app_<hex>,
is created on that server and dropped at the end), and private NATS and Postgres otherwise.
Exit codes of run-application: 0 the job FINISHED, 1 it FAILED (root cause printed) or its cluster
could not start, 2 usage, 3 the job was CANCELED (by someone else), 130 / 143 interrupted by
SIGINT / SIGTERM (the job is cancelled and the cluster stopped first).

<job> is an ES module (.ts, .mts, .js, .mjs) whose default export is (env, args) => void.
Arguments after <job> go to the job.
`;
