// Command-line flags of the local cluster command (`npm start -- …`).

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isLogLevelName, type LogLevelName } from '../infra/log-line.format';

export interface ClusterArgs {
  readonly taskmanagers: number;
  readonly slots: number;
  readonly port: number;
  readonly dataDir: string;
  /** Who starts TaskManagers: this command (standalone) or the ResourceManager (process). */
  readonly resourceProvider: 'standalone' | 'process';
  /** Standby instances of each control service. */
  readonly standbys: number;
  /** Service log lines at or above this level are shown on the terminal. */
  readonly consoleLogLevel: LogLevelName;
  /** Run this job once the cluster is up: the job file, then its own arguments. */
  readonly run?: readonly string[];
  /** Parallelism of the `--run` job (default: the job's own). */
  readonly parallelism?: number;
  /** Generated NATS users, a Postgres password and a REST token (secure-cluster.setup.ts). */
  readonly secure?: boolean;
  readonly help: boolean;
}

export class ClusterArgsError extends Error {
  readonly code = 'CLUSTER_BAD_ARGUMENTS';
}

export const USAGE = `Usage: npm start -- [options]

Starts a local Runnel session cluster in the foreground: NATS and Postgres (those named by
NATS_URL / DATABASE_URL when they answer, private ones otherwise), a ResourceManager, a JobManager,
a dispatcher and N TaskManagers, and supervises them: a member that dies is reported and started
again (jobs recover from their checkpoints). Ctrl-C stops everything it started.

Options:
  --taskmanagers N      TaskManager processes (default 2); with --resource-provider process, the
                        number the ResourceManager keeps running even when idle (default 0)
  --slots S             slots per TaskManager (default 2)
  --resource-provider P standalone (default: this command starts the TaskManagers) or process
                        (the ResourceManager starts them when jobs need slots, stops idle ones)
  --standbys N          also run N standbys of the dispatcher, JobManager and ResourceManager
                        (leader election on NATS: a standby takes over when a leader dies)
  --port P              dispatcher REST port (default 8081)
  --data-dir DIR        private NATS/Postgres data and logs (default <repo>/.runnel; as root, when
                        user postgres cannot enter it, Postgres's data goes to /var/lib/runnel/…)
  --log-level L         service log lines shown here: trace, debug, info, warn (default), error;
                        every line goes to <data-dir>/logs/<service>.log
  -p, --parallelism N   parallelism of the --run job (default: the job's own)
  --run JOB [ARGS]      once the cluster is up, submit JOB (a job file) with @runnel/client, follow
                        it to its end and print its result; everything after JOB goes to the job.
                        Relative --input/--output paths are taken from the current directory. The
                        cluster keeps running afterwards (Ctrl-C stops it). Must come last.
  --secure              credentials everywhere: NATS users per role (services, taskmanagers,
                        clients) with random passwords, Postgres with a password, a REST token;
                        all kept in <data-dir>/secrets/ (private NATS and Postgres only)
  -h, --help            this text
`;

function positiveInt(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ClusterArgsError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}

/** Splits `… --run JOB ARGS…` (or `--run=JOB`): what follows the job file belongs to the job. */
function splitRun(argv: readonly string[]): { own: string[]; run?: string[] } {
  const i = argv.findIndex((a) => a === '--run' || a.startsWith('--run='));
  if (i < 0) return { own: [...argv] };
  const flag = argv[i];
  const job = flag === '--run' ? argv[i + 1] : flag.slice('--run='.length);
  const rest = argv.slice(flag === '--run' ? i + 2 : i + 1);
  if (job === undefined || job === '' || job.startsWith('-')) throw new ClusterArgsError('--run needs a job file, e.g. --run examples/word-count.ts');
  // `--run job -- --input x` (a separator before the job's arguments) is accepted too.
  return { own: argv.slice(0, i), run: [job, ...(rest[0] === '--' ? rest.slice(1) : rest)] };
}

export function parseClusterArgs(argv: readonly string[], repoRoot: string): ClusterArgs {
  const { own, run } = splitRun(argv);
  let parsed;
  try {
    parsed = parseArgs({
      args: own,
      options: {
        taskmanagers: { type: 'string' },
        slots: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'resource-provider': { type: 'string' },
        standbys: { type: 'string' },
        'log-level': { type: 'string' },
        parallelism: { type: 'string', short: 'p' },
        help: { type: 'boolean', short: 'h' },
        secure: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new ClusterArgsError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new ClusterArgsError(`unexpected argument "${positionals[0]}"`);
  if (values.parallelism !== undefined && run === undefined) throw new ClusterArgsError('--parallelism applies to a --run job only');
  const port = positiveInt('port', values.port, 8081, 1);
  if (port > 65535) throw new ClusterArgsError(`--port must be ≤ 65535, got ${port}`);
  const provider = values['resource-provider'] ?? 'standalone';
  if (provider !== 'standalone' && provider !== 'process') {
    throw new ClusterArgsError(
      provider === 'kubernetes'
        ? '--resource-provider kubernetes is designed, not built: see docs/deployment/kubernetes.md'
        : `--resource-provider must be standalone or process, got "${provider}"`,
    );
  }
  const level = values['log-level'] ?? 'warn';
  if (!isLogLevelName(level)) throw new ClusterArgsError(`--log-level must be trace, debug, info, warn, error or fatal, got "${level}"`);
  return {
    resourceProvider: provider,
    standbys: positiveInt('standbys', values.standbys, 0, 0),
    consoleLogLevel: level,
    taskmanagers: positiveInt('taskmanagers', values.taskmanagers, provider === 'process' ? 0 : 2, 0),
    slots: positiveInt('slots', values.slots, 2, 1),
    port,
    dataDir: resolve(values['data-dir'] ?? resolve(repoRoot, '.runnel')),
    run,
    ...(values.parallelism !== undefined ? { parallelism: positiveInt('parallelism', values.parallelism, 1, 1) } : {}),
    ...(values.secure ? { secure: true } : {}),
    help: values.help ?? false,
  };
}
