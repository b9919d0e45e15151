/**
 * Starts a service as a NestJS hybrid app: admin HTTP plus the NATS transport with Runnel's wire
 * format. Logs are JSON; SIGTERM and SIGINT close it gracefully (NATS drained, pools closed); it
 * also exits when the process that started it is gone, so a local cluster never leaves orphans.
 *
 * With `leaderElection`, instances of the service elect a leader (NATS KV, see
 * nats-kv-leader-election.ts): HTTP starts at once (`/health` says leader or standby), but the NATS
 * transport — the service's `@HandleRpc` subscriptions — connects only once this instance won, so
 * requests always reach the leader. A leader that loses its lease exits (code 1) at once.
 */
import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ClusterNamespace, NatsCredentialsError, RunnelNatsServer, natsConnectOptions, natsServers, redactNatsUrls } from '@runnel/protocol';
import { ServiceSettings } from '../config/service-settings';
import { ConfigError } from '../config/load-settings';
import { createLogger, PinoNestLogger } from '../logging/logger';
import { LogFiles } from '../logging/log-files';
import { LeadershipState } from '../leadership/leadership.state';
import { LEADER_BUCKET, NatsKvLeaderElection } from '../leadership/nats-kv-leader-election';
import { connectNats } from '../nats/nats.providers';
import { RunnelErrorFilter } from '../http/runnel-error.filter';
import { RestAccessPolicy } from '../http/rest-access.policy';
import { bodyTypeMiddleware, restAccessMiddleware } from '../http/rest-access.middleware';
import { RestRoutes, restSecurityOf } from '../http/rest-security.config';
import { ServiceIdentity } from '../admin/service-identity';

export interface RunServiceOptions {
  readonly identity: ServiceIdentity;
  readonly settings: ServiceSettings;
  readonly module: Type<unknown> | import('@nestjs/common').DynamicModule;
  /** Queue group for the service's subjects; omit when the subjects are this instance's own. */
  readonly queue?: string;
  readonly subjectParams?: Readonly<Record<string, string>>;
  /** Run as one leader among several instances (dispatcher, jobmanager, resourcemanager). */
  readonly leaderElection?: boolean;
  /**
   * Called once this instance is the leader and its NATS transport is connected (at start
   * without an election). A failure is logged and makes the process exit: a leader that could
   * not take over must let a standby try.
   */
  readonly onLeadershipGranted?: (app: INestApplication) => Promise<void> | void;
  /** The service's routes that need no token (a page) or only a read-only one (POSTs that change nothing). */
  readonly restRoutes?: RestRoutes;
}

export interface RunningService {
  readonly app: INestApplication;
  readonly url: string;
  readonly leadership: LeadershipState;
}

type Logger = ReturnType<typeof createLogger>;

export async function runService(options: RunServiceOptions): Promise<RunningService> {
  const { identity, settings } = options;
  const logFiles = LogFiles.of(settings, identity);
  const logger = createLogger(identity.service, identity.id, settings.logLevel, settings.logToFile ? logFiles.path(logFiles.logFile) : undefined);
  exitOnUncaught(logger);
  const security = restSecurityOf(settings, options.restRoutes);
  const app = await NestFactory.create<NestExpressApplication>(options.module, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    // Body parsers are installed below, behind the access check; JSON only: no route reads forms.
    bodyParser: false,
    ...(security.https ? { httpsOptions: security.https } : {}),
  });
  const access = new RestAccessPolicy(security.access);
  app.use(restAccessMiddleware(access));
  app.use(bodyTypeMiddleware());
  app.useBodyParser('json');
  const namespace = ClusterNamespace.of(settings.clusterId);
  app.connectMicroservice(
    {
      strategy: new RunnelNatsServer({
        servers: natsServers(settings.natsUrl),
        connectOptions: natsConnectOptions(identity.natsCredentials),
        queue: options.queue,
        subjectParams: options.subjectParams,
        namespace,
        name: `${identity.service}:${identity.id}:rpc`,
      }),
    },
    { inheritAppConfig: true },
  );
  app.useGlobalFilters(new RunnelErrorFilter());
  const leadership = app.get(LeadershipState);
  if (options.leaderElection) leadership.enterElection();
  else await app.startAllMicroservices();
  await app.listen(settings.httpPort, settings.httpHost);
  const address = app.getHttpServer().address() as { port: number };
  const advertised = settings.httpAdvertisedHost ?? settings.httpHost;
  const url = `${security.https ? 'https' : 'http'}://${advertised.includes(':') && !advertised.startsWith('[') ? `[${advertised}]` : advertised}:${address.port}`;
  // Whether tokens are needed, never which.
  const restAuth = access.authenticates ? `bearer tokens (${security.access.fullTokens.length} full, ${security.access.readTokens.length} read-only)` : 'none';
  logger.info({ url, nats: redactNatsUrls(settings.natsUrl), clusterId: namespace.id, version: identity.version, tls: !!security.https, restAuth }, `${identity.service} ready`);
  const election = options.leaderElection ? await startElection(options, app, leadership, logger, namespace) : undefined;
  const close = async () => {
    await app.close();
    // After the app: requests in flight are answered before a standby takes over.
    await election?.stop();
  };
  closeOnSignals(close, logger);
  if (settings.parentPid) watchParent(settings.parentPid, close, logger);
  if (!options.leaderElection) await grantLeadership(options, app, logger);
  return { app, url, leadership };
}

/**
 * Campaigns in the background on a NATS connection of its own (the app's is drained on shutdown
 * before the leadership is resigned); resolves at once with a handle to resign.
 */
async function startElection(
  options: RunServiceOptions,
  app: INestApplication,
  leadership: LeadershipState,
  logger: Logger,
  namespace: ClusterNamespace,
): Promise<{ stop(): Promise<void> }> {
  const { identity, settings } = options;
  const connection = await connectNats(settings.natsUrl, `${identity.service}:${identity.id}:leader-election`, identity.natsCredentials);
  const election = new NatsKvLeaderElection(connection, {
    key: identity.service,
    candidateId: identity.id,
    leaseMs: settings.leaderLeaseMs,
    replicas: settings.jetStreamReplicas,
    // Each cluster elects its leaders in a bucket of its own: `runnel-leaders-<id>`.
    bucket: namespace.jetStreamName(LEADER_BUCKET),
    log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) },
    onStandby: (leader) => leadership.noteLeader(leader),
  });
  election.onLost((error) => {
    // Fail-fast (Flink's JobManager does the same): another instance may lead already, so this
    // one must stop serving now; the supervisor restarts it and it comes back as a standby.
    logger.fatal({ err: error, code: error.code }, `${error.message}; exiting so that only the new leader serves`);
    process.exit(1);
  });
  let stopped = false;
  const waitedSince = Date.now();
  election
    .campaign()
    .then(async () => {
      if (stopped) return;
      await app.startAllMicroservices();
      leadership.grant();
      logger.info({ waitedMs: Date.now() - waitedSince, leaseMs: election.effectiveLeaseMs }, `${identity.service} ${identity.id} is the leader; serving NATS requests`);
      await grantLeadership(options, app, logger);
    })
    .catch((error: unknown) => {
      if (stopped) return;
      // Campaigning only ends by winning or being stopped: this is a failure to start serving.
      logger.fatal({ err: error }, 'could not take over as the leader; exiting');
      process.exit(1);
    });
  return {
    async stop() {
      stopped = true;
      await election.resign();
      await connection.close().catch(() => undefined);
    },
  };
}

async function grantLeadership(options: RunServiceOptions, app: INestApplication, logger: Logger): Promise<void> {
  if (!options.onLeadershipGranted) return;
  try {
    await options.onLeadershipGranted(app);
  } catch (error) {
    logger.fatal({ err: error }, 'taking over as the leader failed; exiting');
    process.exit(1);
  }
}

/**
 * A bug that escapes every handler still ends the process (its state is unknown, and a supervisor
 * or standby takes over), but through the service's logger: Node's own report goes to stderr only,
 * never into the log file that `runnel logs` and the dashboard read.
 */
function exitOnUncaught(logger: Logger): void {
  const fatal = (kind: string) => (error: unknown) => {
    logger.fatal({ err: error }, `${kind}: ${error instanceof Error ? error.message : String(error)}; exiting`);
    logger.flush?.();
    process.exit(1);
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled promise rejection'));
}

const SHUTDOWN_DEADLINE_MS = 15_000;

/**
 * SIGTERM/SIGINT close the app (shutdown hooks run: NATS drained, pools closed) and exit 0. Nest's
 * own enableShutdownHooks re-raises the signal instead, which reads as a crash to a supervisor.
 */
function closeOnSignals(close: () => Promise<void>, logger: Logger): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms; exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

function watchParent(parentPid: number, close: () => Promise<void>, logger: Logger): void {
  const timer = setInterval(() => {
    try {
      process.kill(parentPid, 0);
    } catch {
      clearInterval(timer);
      logger.warn({ parentPid }, 'parent process is gone; shutting down');
      void close().finally(() => process.exit(0));
    }
  }, 500);
  timer.unref();
}

/** For a service's main.ts: report a bad configuration or a failed start, and exit non-zero. */
export function exitOnStartFailure(service: string, error: unknown): never {
  // Wrong settings, or credentials NATS refuses: exit 2, which a supervisor does not restart.
  if (error instanceof ConfigError || error instanceof NatsCredentialsError) {
    process.stderr.write(`${service}: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${service} failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
}
