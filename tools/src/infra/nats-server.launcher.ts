// Starts a private nats-server with JetStream (Debian's package, 2.9 line) for a local cluster,
// CI or one e2e test, and stops it again. The server listens on 127.0.0.1 only.

import { mkdirSync } from 'node:fs';
import type { NatsCredentials } from '@runnel/protocol/nats-connect-options';
import { findExecutable } from './executable.util';
import { findFreePort, isPortOpen } from './free-port.util';
import { BinaryNotFoundError, ProcessStartError } from './infra.errors';
import { startManagedProcess, type ExitInfo, type ManagedProcess, type OutputSink } from './managed-process.util';
import { isNatsReachable } from './reachability.util';
import { waitFor } from './wait-for.util';

export interface StartNatsServerOptions {
  /** JetStream store directory (created when missing). */
  readonly storeDir: string;
  /** Default: a free port. */
  readonly port?: number;
  /** Default: keep output in memory only (see handle.process.logs()). */
  readonly output?: OutputSink;
  /** Deadline for the server to answer (default 15 s). */
  readonly startTimeoutMs?: number;
  /** A nats-server configuration file (`-c`), e.g. with `authorization { users = [...] }`; flags still set port, store and JetStream. */
  readonly configFile?: string;
  /** Credentials the readiness probe connects with (needed when the configuration requires them). */
  readonly probeCredentials?: NatsCredentials;
  /** Run in this network namespace (a test's other host; see managed-process.util.ts). */
  readonly netns?: string;
  /** Address to listen on (default 127.0.0.1), e.g. the namespace's own address. */
  readonly host?: string;
}

export interface NatsServerHandle {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly process: ManagedProcess;
  /** SIGINT (graceful), wait for exit, SIGKILL after `timeoutMs` (default 10 s). */
  stop(timeoutMs?: number): Promise<ExitInfo>;
  kill(): Promise<ExitInfo>;
}

/** Path of nats-server, or a BinaryNotFoundError telling how to install it. */
export function natsServerBinary(): string {
  const binary = findExecutable('nats-server', ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin']);
  if (!binary) {
    throw new BinaryNotFoundError(
      'nats-server not found on PATH or in /usr/sbin; install it: apt-get install -y nats-server',
    );
  }
  return binary;
}

export async function startNatsServer(options: StartNatsServerOptions): Promise<NatsServerHandle> {
  const binary = natsServerBinary();
  mkdirSync(options.storeDir, { recursive: true });
  const port = options.port ?? (await findFreePort());
  const host = options.host ?? '127.0.0.1';
  const url = `nats://${host}:${port}`;
  // Otherwise the readiness probe could succeed against whatever already listens there.
  if (options.port !== undefined && !options.netns && (await isPortOpen(port))) {
    throw new ProcessStartError(`cannot start nats-server: port ${port} on 127.0.0.1 is already in use`);
  }
  const proc = startManagedProcess({
    name: 'nats',
    command: binary,
    args: [...(options.configFile ? ['-c', options.configFile] : []), '-js', '-a', host, '-p', String(port), '-sd', options.storeDir],
    output: options.output ?? { type: 'buffer' },
    // Same graceful shutdown as SIGTERM, but nats-server 2.9 exits 0 on SIGINT and 1 on SIGTERM.
    stopSignal: 'SIGINT',
    netns: options.netns,
  });
  try {
    await waitFor(() => isNatsReachable(url, 500, options.probeCredentials ?? {}), {
      description: `nats-server (pid ${proc.pid}) to accept connections with JetStream on ${url}`,
      timeoutMs: options.startTimeoutMs ?? 15_000,
      intervalMs: 50,
      abortIf: () => exitedEarly(proc, `nats-server on port ${port}`),
    });
  } catch (error) {
    await proc.stop(2_000);
    throw error;
  }
  return {
    url,
    port,
    pid: proc.pid,
    process: proc,
    stop: (timeoutMs) => proc.stop(timeoutMs),
    kill: () => proc.kill(),
  };
}

/** An error when `proc` has already exited (e.g. port taken), for waitFor's abortIf. */
export function exitedEarly(proc: ManagedProcess, what: string): Error | undefined {
  const info = proc.exitInfo();
  if (!info) return undefined;
  const tail = proc.logs().slice(-15).join('\n');
  return new ProcessStartError(
    `${what} exited during start-up (code ${info.code}, signal ${info.signal}); last output:\n${tail}`,
  );
}
