// CI helper (used by .ci/run): makes a NATS with JetStream and a Postgres reachable on the given
// ports — reusing servers that already answer there, starting private ones otherwise — writes
// the test environment (RUNNEL_TEST_NATS_URL, RUNNEL_TEST_DATABASE_URL) to --env-out once both
// answer, and keeps what it started running until SIGINT/SIGTERM or until its parent shell goes.
//
//   node tools/dist/infra/ci-infra.main.js --nats-port 4222 --pg-port 5432 \
//        --data-dir /tmp/ci-state --env-out /tmp/ci-state/env

import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { redact } from './database.admin';
import type { ExitInfo } from './managed-process.util';
import { startNatsServer } from './nats-server.launcher';
import { startPostgres } from './postgres.launcher';

// (Not --env-file: Node 20 takes that flag for itself even after the script name.)
import { isNatsReachable, isPostgresReachable } from './reachability.util';

type Stop = () => Promise<ExitInfo>;

/** A single-quoted shell word (the env file is `source`d by bash). */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function log(message: string): void {
  process.stdout.write(`[ci-infra] ${message}\n`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'nats-port': { type: 'string', default: '4222' },
      'pg-port': { type: 'string', default: '5432' },
      'data-dir': { type: 'string' },
      'env-out': { type: 'string' },
      // Servers the CI provides itself (e.g. service containers with a password): used as given.
      'nats-url': { type: 'string' },
      'database-url': { type: 'string' },
    },
    strict: true,
  });
  const dataDir = values['data-dir'];
  const envFile = values['env-out'];
  if (!dataDir || !envFile) throw new Error('--data-dir and --env-out are required');
  const natsPort = Number(values['nats-port']);
  const pgPort = Number(values['pg-port']);

  const stops: Stop[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(stops.splice(0).map((stop) => stop()));
  };
  let stopping = false;
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const shutdown = (why: string, code: number): void => {
    if (stopping) return;
    stopping = true;
    log(`${why}: stopping what was started`);
    void stopAll().then(() => finish(code));
  };
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  // The CI shell may be killed without telling us; our parent then changes.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && shutdown('parent shell gone', 1), 1_000).unref();

  try {
    const given = { nats: values['nats-url'], database: values['database-url'] };
    if (given.nats && !(await isNatsReachable(given.nats))) {
      throw new Error(`RUNNEL_TEST_NATS_URL=${given.nats} does not answer with JetStream enabled`);
    }
    if (given.database && !(await isPostgresReachable(given.database))) {
      throw new Error(`RUNNEL_TEST_DATABASE_URL=${redact(given.database)} does not answer`);
    }
    let natsUrl = given.nats ?? `nats://127.0.0.1:${natsPort}`;
    if (await isNatsReachable(natsUrl)) {
      log(`using the NATS at ${natsUrl}`);
    } else {
      const t0 = Date.now();
      const nats = await startNatsServer({
        port: natsPort,
        storeDir: join(dataDir, 'nats'),
        output: { type: 'file', path: join(dataDir, 'nats.log') },
      });
      stops.push(() => nats.stop());
      void nats.process.exited.then(() => shutdown('nats-server exited', 1));
      natsUrl = nats.url;
      log(`started nats-server on ${natsUrl} in ${Date.now() - t0} ms`);
    }

    let adminUrl = given.database ?? `postgres://postgres@127.0.0.1:${pgPort}/postgres`;
    if (await isPostgresReachable(adminUrl)) {
      log(`using the Postgres at ${redact(adminUrl)}`);
    } else {
      const t0 = Date.now();
      const postgres = await startPostgres({
        port: pgPort,
        dataDir: join(dataDir, 'postgres'),
        ephemeral: true,
        output: { type: 'file', path: join(dataDir, 'postgres.log') },
      });
      stops.push(() => postgres.stop());
      void postgres.process.exited.then(() => shutdown('postgres exited', 1));
      adminUrl = postgres.url;
      log(`started Postgres ${postgres.binaries.major} (${postgres.binaries.source}) on ${adminUrl} in ${Date.now() - t0} ms`);
    }

    writeFileSync(
      `${envFile}.tmp`,
      `export RUNNEL_TEST_NATS_URL=${shellQuote(natsUrl)}\nexport RUNNEL_TEST_DATABASE_URL=${shellQuote(adminUrl)}\n`,
    );
    renameSync(`${envFile}.tmp`, envFile);
  } catch (error) {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll();
    return 1;
  }
  return finished;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[ci-infra] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
