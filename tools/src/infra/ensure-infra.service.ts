// Makes NATS (with JetStream) and Postgres available for a local cluster: uses the servers named
// by NATS_URL / DATABASE_URL when they answer, and otherwise starts private ones whose data lives
// under the data directory (persistent across runs). Creates the cluster's database when missing.
// Returns the URLs and the processes it started, so the caller can watch and stop them.

import { join } from 'node:path';
import { redactNatsUrls, type NatsCredentials } from '@runnel/protocol/nats-connect-options';
import { databaseNameOf, databaseUrlFor, ensureDatabase, redact } from './database.admin';
import type { ManagedProcess } from './managed-process.util';
import { startNatsServer } from './nats-server.launcher';
import { startPostgres } from './postgres.launcher';
import { isNatsReachable, isPostgresReachable } from './reachability.util';

export interface EnsureInfraOptions {
  /** Use this NATS when it answers with JetStream. */
  readonly natsUrl?: string;
  /** Use this Postgres database (created when missing) when its server answers. */
  readonly databaseUrl?: string;
  /** Where private servers keep their data and logs (nats/, postgres/, logs/). */
  readonly dataDir: string;
  /** Database created on a private Postgres (default `runnel`). */
  readonly databaseName?: string;
  /** Progress messages for the user (default: none). */
  readonly log?: (message: string) => void;
  /** Called as soon as a private server process exists (e.g. to record it in a pid file). */
  readonly onProcessStarted?: (process: ManagedProcess, stopSignal: NodeJS.Signals) => void;
  /** A private nats-server gets this configuration file (`-c`: users and permissions; see the local cluster's --secure). */
  readonly natsConfigFile?: string;
  /** Credentials to probe NATS with (default: the NATS_* variables of this process). */
  readonly natsCredentials?: NatsCredentials;
  /** A private Postgres gets this password for user postgres (scram-sha-256 instead of trust). */
  readonly postgresPassword?: string;
}

/** A private server started here, and how to start it again on the same port and data (after a crash). */
export interface InfraServer {
  readonly name: 'nats' | 'postgres';
  readonly process: ManagedProcess;
  restart(): Promise<ManagedProcess>;
}

export interface Infra {
  readonly natsUrl: string;
  readonly databaseUrl: string;
  /** Processes started here (empty when both servers were given). */
  readonly processes: readonly ManagedProcess[];
  /** The same, with a way to restart each. */
  readonly servers: readonly InfraServer[];
  /** Stops what was started here, NATS and Postgres in parallel. */
  stop(): Promise<void>;
}

export async function ensureInfra(options: EnsureInfraOptions): Promise<Infra> {
  const log = options.log ?? (() => undefined);
  const logDir = join(options.dataDir, 'logs');
  const processes: ManagedProcess[] = [];
  const servers: InfraServer[] = [];
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async (): Promise<void> => {
    await Promise.all(stops.map((s) => s()));
  };

  try {
    let natsUrl = options.natsUrl;
    if (natsUrl && !(await isNatsReachable(natsUrl, undefined, options.natsCredentials))) {
      log(`NATS_URL=${redactNatsUrls(natsUrl)} does not answer (or has no JetStream); starting a local nats-server instead`);
      natsUrl = undefined;
    }
    if (!natsUrl) {
      const started = Date.now();
      const natsOptions = {
        storeDir: join(options.dataDir, 'nats'),
        output: { type: 'file', path: join(logDir, 'nats.log') },
        ...(options.natsConfigFile ? { configFile: options.natsConfigFile, probeCredentials: options.natsCredentials } : {}),
      } as const;
      const nats = await startNatsServer(natsOptions);
      processes.push(nats.process);
      stops.push(() => nats.stop());
      const natsPort = nats.port;
      servers.push({
        name: 'nats',
        process: nats.process,
        restart: async () => (await startNatsServer({ ...natsOptions, port: natsPort })).process,
      });
      options.onProcessStarted?.(nats.process, 'SIGINT');
      log(`started nats-server ${nats.url} (pid ${nats.pid}, ${Date.now() - started} ms)`);
      natsUrl = nats.url;
    }

    let databaseUrl = options.databaseUrl;
    if (databaseUrl) {
      const adminUrl = databaseUrlFor(databaseUrl, 'postgres');
      if ((await isPostgresReachable(databaseUrl)) || (await isPostgresReachable(adminUrl))) {
        await ensureDatabase(adminUrl, databaseNameOf(databaseUrl));
      } else {
        log(`DATABASE_URL=${redact(databaseUrl)} does not answer; starting a local Postgres instead`);
        databaseUrl = undefined;
      }
    }
    if (!databaseUrl) {
      const started = Date.now();
      const postgresOptions = {
        dataDir: join(options.dataDir, 'postgres'),
        output: { type: 'file', path: join(logDir, 'postgres.log') },
        log,
        ...(options.postgresPassword !== undefined ? { password: options.postgresPassword } : {}),
      } as const;
      const postgres = await startPostgres(postgresOptions);
      processes.push(postgres.process);
      stops.push(() => postgres.stop());
      const postgresPort = postgres.port;
      servers.push({
        name: 'postgres',
        process: postgres.process,
        restart: async () => (await startPostgres({ ...postgresOptions, port: postgresPort })).process,
      });
      options.onProcessStarted?.(postgres.process, 'SIGINT');
      databaseUrl = await ensureDatabase(postgres.url, options.databaseName ?? 'runnel');
      log(
        `started Postgres ${postgres.binaries.major} (${postgres.binaries.source}) on port ${postgres.port} ` +
          `(pid ${postgres.pid}, ${Date.now() - started} ms)`,
      );
    }
    return { natsUrl, databaseUrl, processes, servers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
