// Command-line flags of the local cluster command (`npm start -- …`).

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface ClusterArgs {
  readonly taskmanagers: number;
  readonly slots: number;
  readonly port: number;
  readonly dataDir: string;
  /** Reserved: run a job on the cluster once it is up (not yet supported). */
  readonly run?: readonly string[];
  readonly help: boolean;
}

export class ClusterArgsError extends Error {
  readonly code = 'CLUSTER_BAD_ARGUMENTS';
}

export const USAGE = `Usage: npm start -- [options]

Starts a local Runnel session cluster in the foreground: NATS and Postgres (those named by
NATS_URL / DATABASE_URL when they answer, private ones otherwise), a ResourceManager, a JobManager,
a dispatcher and N TaskManagers. Ctrl-C stops everything it started.

Options:
  --taskmanagers N   TaskManager processes (default 2)
  --slots S          slots per TaskManager (default 2)
  --port P           dispatcher REST port (default 8081)
  --data-dir DIR     private NATS/Postgres data and logs (default <repo>/.runnel)
  --run JOB [ARGS]   run a job once the cluster is up (not yet supported)
  -h, --help         this text
`;

function positiveInt(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ClusterArgsError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}

export function parseClusterArgs(argv: readonly string[], repoRoot: string): ClusterArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        taskmanagers: { type: 'string' },
        slots: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        run: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new ClusterArgsError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0 && values.run === undefined) {
    throw new ClusterArgsError(`unexpected argument "${positionals[0]}"`);
  }
  const port = positiveInt('port', values.port, 8081, 1);
  if (port > 65535) throw new ClusterArgsError(`--port must be ≤ 65535, got ${port}`);
  return {
    taskmanagers: positiveInt('taskmanagers', values.taskmanagers, 2, 0),
    slots: positiveInt('slots', values.slots, 2, 1),
    port,
    dataDir: resolve(values['data-dir'] ?? resolve(repoRoot, '.runnel')),
    run: values.run === undefined ? undefined : [values.run, ...positionals],
    help: values.help ?? false,
  };
}
