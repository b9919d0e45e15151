// Entry point of `npm start`: runs a local Runnel session cluster in the foreground until Ctrl-C
// (SIGINT) or SIGTERM, then stops everything it started and exits 0; exits 1 when start-up fails.
// With `--run JOB ARGS…` it also runs that job on the cluster once it is up and prints its result.

import { findRepoRoot } from '../infra';
import { ClusterArgsError, parseClusterArgs, USAGE } from './cluster-args';
import { runClusterJob } from './cluster-job.runner';
import { LocalCluster } from './local-cluster';
import { prepareSecureCluster, type SecureCluster } from './secure-cluster.setup';
import { resolve } from 'node:path';

async function main(): Promise<number> {
  // RUNNEL_REPO_ROOT points the command at another checkout's built services (used by tests).
  const repoRoot = process.env['RUNNEL_REPO_ROOT'] ?? findRepoRoot(__dirname);
  let args;
  try {
    args = parseClusterArgs(process.argv.slice(2), repoRoot);
  } catch (error) {
    if (!(error instanceof ClusterArgsError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const run = args.run;
  let secure: SecureCluster | undefined;
  if (args.secure) {
    const given = ['NATS_URL', 'DATABASE_URL'].filter((name) => process.env[name]);
    if (given.length > 0) {
      process.stderr.write(
        `--secure configures the private NATS and Postgres it starts, so it does not use ${given.join(' or ')}: unset ${given.length > 1 ? 'them' : 'it'}. ` +
          `(For servers of your own, give the services NATS_USER/NATS_PASSWORD, NATS_CREDS… and a DATABASE_URL with a password instead.)\n`,
      );
      return 2;
    }
    secure = prepareSecureCluster(args.dataDir, { clusterId: process.env['CLUSTER_ID'] || undefined });
    for (const line of secure.describe(args.dataDir === resolve(repoRoot, '.runnel'))) process.stdout.write(`${line}\n`);
  }
  const cluster = new LocalCluster({
    ...args,
    repoRoot,
    natsUrl: process.env['NATS_URL'] || undefined,
    databaseUrl: process.env['DATABASE_URL'] || undefined,
    logLevel: process.env['LOG_LEVEL'] || undefined,
    resourceProvider: args.resourceProvider,
    standbys: args.standbys,
    consoleLogLevel: args.consoleLogLevel,
    secure,
    ...(run
      ? {
          onReady: ({ natsUrl }, signal) =>
            runClusterJob({
              natsUrl,
              ...(secure ? { credentials: secure.credentials.clients } : {}),
              job: run[0],
              args: run.slice(1),
              parallelism: args.parallelism,
              cwd: process.cwd(),
              print: (line) => process.stdout.write(`${line}\n`),
              signal,
            }).then(() => {
              if (!signal.aborted) process.stdout.write('\nThe cluster keeps running; press Ctrl-C to stop it.\n');
            }),
        }
      : {}),
  });
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    const now = Date.now();
    if (firstSignalAt === undefined) {
      firstSignalAt = now;
      process.stdout.write(`\n${signal}: stopping the cluster (again to kill it at once)\n`);
      cluster.stop();
    } else if (now - firstSignalAt >= DUPLICATE_SIGNAL_MS) {
      cluster.killAll();
    }
    // Else the same Ctrl-C a second time: a terminal sends SIGINT to its whole foreground group,
    // and `npm run` forwards the one it gets to this process as well. Taking that for a second
    // Ctrl-C killed every process at once (Postgres included) instead of stopping them.
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed terminal must not leave the cluster running either.
  process.on('SIGHUP', onSignal);
  return cluster.run();
}

/** Signals this soon after the first are the same keypress delivered twice. */
const DUPLICATE_SIGNAL_MS = 1000;

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
