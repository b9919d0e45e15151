// Starts a private Postgres server for a local cluster, CI or tests: initialises the data
// directory the first time (trust auth for user `postgres`, listening on 127.0.0.1 only, no unix
// socket so it never collides with a system server), then runs `postgres` in the foreground as
// our child. As root it runs as the `postgres` user (created when missing), as Postgres refuses root;
// when that user cannot reach the data dir or the binaries (a checkout under /root, a mkdtemp dir),
// they move to /var/lib/runnel (see postgres-relocation.util.ts and tools/INFRA-NOTES.md).

import { spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findFreePort, isPortOpen } from './free-port.util';
import { ProcessStartError, WaitTimeoutError } from './infra.errors';
import { startManagedProcess, type ExitInfo, type ManagedProcess, type OutputSink } from './managed-process.util';
import { postgresBinariesFor, type PostgresBinaries } from './postgres-binaries.util';
import { findBlockingPath, lookupUser, spawnedIdentity, type UserIdentity } from './postgres-reachability.util';
import { relocateDataDir } from './postgres-relocation.util';
import { checkDataDirAuth, writePasswordFile } from './postgres-auth.util';
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
  /**
   * One-line notices, e.g. that the data dir was relocated because user postgres cannot reach
   * it (default: written to stderr).
   */
  readonly log?: (message: string) => void;
  /** As root: where data and binaries go when user postgres cannot reach them (default /var/lib/runnel). */
  readonly systemDir?: string;
  /**
   * Password of user postgres: a fresh data directory is initialised with scram-sha-256 (no trust)
   * and this password; an existing one must have been initialised so (see postgres-auth.util.ts).
   */
  readonly password?: string;
  /** Run in this network namespace (a test's other host; see managed-process.util.ts). */
  readonly netns?: string;
  /** Address to listen on (default 127.0.0.1), e.g. the namespace's own address. */
  readonly host?: string;
  /** Clients from this CIDR (besides loopback) may connect, with the data directory's auth method. */
  readonly allowClients?: string;
}

export interface PostgresHandle {
  /** Admin URL: user postgres, database postgres (trust auth on 127.0.0.1, or the `password` given, in the URL). */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly binaries: PostgresBinaries;
  /** The data directory in use: `requestedDataDir`, or its relocation under /var/lib/runnel/data. */
  readonly dataDir: string;
  /** `options.dataDir`, resolved. */
  readonly requestedDataDir: string;
  readonly process: ManagedProcess;
  /** Fast shutdown (SIGINT), SIGKILL after `timeoutMs` (default 15 s). */
  stop(timeoutMs?: number): Promise<ExitInfo>;
}

interface RunAs {
  readonly uid?: number;
  readonly gid?: number;
}

export async function startPostgres(options: StartPostgresOptions): Promise<PostgresHandle> {
  const requestedDataDir = resolve(options.dataDir);
  const log = options.log ?? ((message: string) => void process.stderr.write(`${message}\n`));
  const user = postgresUser();
  const dataDir = prepareDataDir(requestedDataDir, user, { log, systemDir: options.systemDir });
  const binaries = postgresBinariesFor(dataDir, { runAs: user, log, systemDir: options.systemDir });
  const runAs: RunAs = user ? { uid: user.uid, gid: user.gid } : {};
  const output = options.output ?? { type: 'buffer' };
  const logFile = output.type === 'file' ? output.path : undefined;
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    const pwfile = options.password === undefined ? undefined : writePasswordFile(options.password, user);
    try {
      initdb(binaries, dataDir, runAs, logFile, pwfile?.path);
    } finally {
      pwfile?.remove();
    }
  } else {
    checkDataDirAuth(dataDir, requestedDataDir, options.password !== undefined);
  }

  if (options.allowClients) allowClients(dataDir, options.allowClients, options.password !== undefined);
  const port = options.port ?? (await findFreePort());
  if (options.port !== undefined && !options.netns && (await isPortOpen(port))) {
    throw new ProcessStartError(
      `cannot start Postgres (data directory ${dataDir}): port ${port} on 127.0.0.1 is already in use`,
    );
  }
  const url = `postgres://postgres${options.password === undefined ? '' : `:${encodeURIComponent(options.password)}`}@${options.host ?? '127.0.0.1'}:${port}/postgres`;
  const settings = [
    `listen_addresses=${options.host ?? '127.0.0.1'}`,
    'unix_socket_directories=',
    'max_connections=200',
    ...(options.ephemeral ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : []),
  ];
  const proc = startManagedProcess({
    name: 'postgres',
    command: binaries.postgres,
    args: ['-D', dataDir, '-p', String(port), ...settings.flatMap((s) => ['-c', s])],
    ...runAs,
    // Our own cwd may be a directory user postgres cannot enter.
    cwd: dataDir,
    // SIGINT is Postgres' "fast" shutdown: it ends sessions instead of waiting for clients to leave.
    stopSignal: 'SIGINT',
    output,
    env: { ...process.env, LC_ALL: 'C' },
    netns: options.netns,
  });
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const what = `Postgres ${binaries.major} (${binaries.binDir}, pid ${proc.pid}, port ${port})`;
  try {
    await waitFor(() => isPostgresReachable(url, 1_000), {
      description: `${what} to accept connections`,
      timeoutMs,
      intervalMs: 50,
      abortIf: () => {
        const info = proc.exitInfo();
        if (!info) return undefined;
        const how = `code ${info.code}, signal ${info.signal}`;
        return startFailure(`${what} exited during start-up (${how})`, dataDir, proc.logs(), logFile);
      },
    });
  } catch (error) {
    await proc.stop(5_000);
    if (error instanceof WaitTimeoutError) {
      const message = `${what} did not accept connections within ${timeoutMs} ms`;
      throw startFailure(message, dataDir, proc.logs(), logFile, error);
    }
    throw error;
  }
  return {
    url,
    port,
    pid: proc.pid,
    binaries,
    dataDir,
    requestedDataDir,
    process: proc,
    stop: (timeoutMs = 15_000) => proc.stop(timeoutMs),
  };
}

/** One pg_hba.conf line for `cidr` (once), with the method initdb set up for loopback. */
function allowClients(dataDir: string, cidr: string, password: boolean): void {
  const hba = join(dataDir, 'pg_hba.conf');
  const line = `host all all ${cidr} ${password ? 'scram-sha-256' : 'trust'}`;
  if (!readFileSync(hba, 'utf8').split('\n').includes(line)) appendFileSync(hba, `${line}\n`);
}

/** "Postgres could not start", naming the data directory and the last lines of its output. */
function startFailure(
  what: string,
  dataDir: string,
  lines: readonly string[],
  logFile?: string,
  cause?: unknown,
): ProcessStartError {
  const tail = lines.slice(-20).join('\n').trim() || '(no output)';
  return new ProcessStartError(
    `${what}; data directory ${dataDir}${logFile ? `, log ${logFile}` : ''}; last lines of its log:\n${tail}`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * As root: user postgres (created when missing) with the groups its processes will have (only its
 * primary group, see spawnedIdentity). Otherwise undefined: run as ourselves.
 */
function postgresUser(): UserIdentity | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = lookupUser('postgres');
  if (existing) return spawnedIdentity(existing);
  const created = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], {
    encoding: 'utf8',
  });
  const made = lookupUser('postgres');
  if (!made) {
    throw new ProcessStartError(
      'Postgres refuses to run as root and creating user "postgres" failed: ' +
        `${created.stderr || created.error?.message}`,
    );
  }
  return spawnedIdentity(made);
}

/**
 * Creates the data directory owned by the server's user and returns it: `requested`, or, when
 * that user cannot reach it (as root: user postgres, and a directory below /root, say), one of
 * its own under /var/lib/runnel/data (and says so in one line).
 */
function prepareDataDir(
  requested: string,
  user: UserIdentity | undefined,
  options: { readonly log: (message: string) => void; readonly systemDir?: string },
): string {
  const fail = (problem: string, cause?: unknown): ProcessStartError =>
    new ProcessStartError(
      `cannot start Postgres: its data directory ${requested} ${problem}`,
      cause === undefined ? undefined : { cause },
    );
  if (existsSync(requested) && !statSync(requested).isDirectory()) {
    throw fail('exists but is not a directory; remove it or choose another data directory');
  }
  try {
    if (!user) {
      mkdirSync(requested, { recursive: true, mode: 0o700 });
      return requested;
    }
    // Parents get the usual modes (a recursive mkdir with mode 0700 would make them all 0700).
    mkdirSync(dirname(requested), { recursive: true });
  } catch (error) {
    throw fail(`cannot be created: ${(error as Error).message}`, error);
  }
  const blocked = findBlockingPath(requested, user, 0);
  if (!blocked) {
    mkdirSync(requested, { recursive: true, mode: 0o700 });
    chownSync(requested, user.uid, user.gid);
    return requested;
  }
  let relocated: string;
  try {
    relocated = relocateDataDir(requested, user, { baseDir: options.systemDir, log: options.log });
  } catch (error) {
    const problem = `is out of reach for user postgres (${blocked.reason}), and relocating it failed`;
    throw fail(`${problem}: ${(error as Error).message}`, error);
  }
  const stillBlocked = findBlockingPath(relocated, user, 0);
  if (stillBlocked) {
    const problem = `is out of reach for user postgres (${blocked.reason})`;
    throw fail(`${problem}, and so is ${relocated} (${stillBlocked.reason})`);
  }
  options.log(
    `Postgres runs as user postgres, which cannot reach the data directory ${requested} ` +
      `(${blocked.reason}); using ${relocated} instead`,
  );
  return relocated;
}

function initdb(binaries: PostgresBinaries, dataDir: string, runAs: RunAs, logFile?: string, pwfile?: string): void {
  const auth = pwfile === undefined ? ['-A', 'trust'] : ['-A', 'scram-sha-256', `--pwfile=${pwfile}`];
  const result = spawnSync(
    binaries.initdb,
    ['-D', dataDir, '-U', 'postgres', ...auth, '-E', 'UTF8', '--locale=C', '--no-instructions'],
    { ...runAs, cwd: dataDir, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
  );
  if (result.status === 0) return;
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}` || result.error?.message || '';
  if (logFile) {
    try {
      mkdirSync(dirname(logFile), { recursive: true });
      appendFileSync(logFile, output);
    } catch {
      // the error below carries the output anyway
    }
  }
  throw startFailure(
    `Postgres could not initialise its data directory: initdb (${binaries.initdb}) failed ` +
      `(exit ${result.status}, signal ${result.signal})`,
    dataDir,
    output.split('\n'),
    logFile,
    result.error,
  );
}
