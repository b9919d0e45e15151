// Starts a private Postgres server for a local cluster, CI or tests: initialises the data
// directory the first time (trust auth for user `postgres`, listening on 127.0.0.1 only, no unix
// socket so it never collides with a system server), then runs `postgres` in the foreground as
// our child. As root it runs as the `postgres` user (created when missing), as Postgres refuses root.

import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findFreePort, isPortOpen } from './free-port.util';
import { ProcessStartError } from './infra.errors';
import { startManagedProcess, type ExitInfo, type ManagedProcess, type OutputSink } from './managed-process.util';
import { exitedEarly } from './nats-server.launcher';
import { postgresBinariesFor, type PostgresBinaries } from './postgres-binaries.util';
import { isPostgresReachable } from './reachability.util';
import { waitFor } from './wait-for.util';

export interface StartPostgresOptions {
  /** Cluster data directory; initialised when it holds no cluster yet, reused otherwise. */
  readonly dataDir: string;
  /** Default: a free port. */
  readonly port?: number;
  /**
   * Trade durability for speed (fsync off): for throw-away test servers only. A crash of the
   * machine may then corrupt the data directory.
   */
  readonly ephemeral?: boolean;
  readonly output?: OutputSink;
  /** Deadline for the server to accept connections (default 30 s). */
  readonly startTimeoutMs?: number;
}

export interface PostgresHandle {
  /** Admin URL: user postgres, database postgres (no password, trust auth on 127.0.0.1). */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly binaries: PostgresBinaries;
  readonly process: ManagedProcess;
  /** Fast shutdown (SIGINT), SIGKILL after `timeoutMs` (default 15 s). */
  stop(timeoutMs?: number): Promise<ExitInfo>;
}

interface RunAs {
  readonly uid?: number;
  readonly gid?: number;
}

export async function startPostgres(options: StartPostgresOptions): Promise<PostgresHandle> {
  const dataDir = resolve(options.dataDir);
  const runAs = postgresUser();
  prepareDataDir(dataDir, runAs);
  const binaries = postgresBinariesFor(dataDir);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) initdb(binaries, dataDir, runAs);

  const port = options.port ?? (await findFreePort());
  if (options.port !== undefined && (await isPortOpen(port))) {
    throw new ProcessStartError(`cannot start postgres: port ${port} on 127.0.0.1 is already in use`);
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const settings = [
    'listen_addresses=127.0.0.1',
    'unix_socket_directories=',
    'max_connections=200',
    ...(options.ephemeral ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : []),
  ];
  const proc = startManagedProcess({
    name: 'postgres',
    command: binaries.postgres,
    args: ['-D', dataDir, '-p', String(port), ...settings.flatMap((s) => ['-c', s])],
    ...runAs,
    // SIGINT is Postgres' "fast" shutdown: it ends sessions instead of waiting for clients to leave.
    stopSignal: 'SIGINT',
    output: options.output ?? { type: 'buffer' },
    env: { ...process.env, LC_ALL: 'C' },
  });
  try {
    await waitFor(() => isPostgresReachable(url, 1_000), {
      description: `postgres (pid ${proc.pid}, ${binaries.source} ${binaries.major}) to accept connections on port ${port}`,
      timeoutMs: options.startTimeoutMs ?? 30_000,
      intervalMs: 50,
      abortIf: () => exitedEarly(proc, `postgres on port ${port}`),
    });
  } catch (error) {
    await proc.stop(5_000);
    throw error;
  }
  return {
    url,
    port,
    pid: proc.pid,
    binaries,
    process: proc,
    stop: (timeoutMs = 15_000) => proc.stop(timeoutMs),
  };
}

/** As root: uid/gid of user postgres, created when missing. Otherwise: run as ourselves. */
function postgresUser(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const lookup = (): RunAs | undefined => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const existing = lookup();
  if (existing) return existing;
  const created = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], {
    encoding: 'utf8',
  });
  const made = lookup();
  if (!made) {
    throw new ProcessStartError(
      `Postgres refuses to run as root and creating user "postgres" failed: ${created.stderr || created.error?.message}`,
    );
  }
  return made;
}

/** Creates the data directory owned by the server's user, and checks that user can reach it. */
function prepareDataDir(dataDir: string, runAs: RunAs): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (runAs.uid === undefined || runAs.gid === undefined) return;
  chownSync(dataDir, runAs.uid, runAs.gid);
  // Every ancestor must be searchable by that user (mkdtemp makes 0700 directories, for one).
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const stat = statSync(dir);
    const searchable = stat.uid === runAs.uid ? (stat.mode & 0o100) !== 0 : (stat.mode & 0o001) !== 0;
    if (!searchable) {
      throw new ProcessStartError(
        `Postgres runs as user postgres, which cannot enter ${dir} (mode ${(stat.mode & 0o777).toString(8)}); ` +
          `chmod o+x ${dir} or choose another data directory`,
      );
    }
    if (dirname(dir) === dir) break;
  }
}

function initdb(binaries: PostgresBinaries, dataDir: string, runAs: RunAs): void {
  const result = spawnSync(
    binaries.initdb,
    ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-instructions'],
    { ...runAs, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
  );
  if (result.status !== 0) {
    throw new ProcessStartError(
      `initdb (${binaries.initdb}) failed for ${dataDir} (exit ${result.status}): ${result.stderr || result.error?.message}`,
    );
  }
}
