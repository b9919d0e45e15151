/**
 * Starts a service as a NestJS hybrid app: admin HTTP plus the NATS transport with Runnel's wire
 * format. Logs are JSON; SIGTERM and SIGINT close it gracefully (NATS drained, pools closed); it
 * also exits when the process that started it is gone, so a local cluster never leaves orphans.
 */
import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RunnelNatsServer } from '@runnel/protocol';
import { ServiceSettings } from '../config/service-settings';
import { ConfigError } from '../config/load-settings';
import { createLogger, PinoNestLogger } from '../logging/logger';
import { RunnelErrorFilter } from '../http/runnel-error.filter';
import { ServiceIdentity } from '../admin/service-identity';

export interface RunServiceOptions {
  readonly identity: ServiceIdentity;
  readonly settings: ServiceSettings;
  readonly module: Type<unknown> | import('@nestjs/common').DynamicModule;
  /** Queue group for the service's subjects; omit when the subjects are this instance's own. */
  readonly queue?: string;
  readonly subjectParams?: Readonly<Record<string, string>>;
}

export interface RunningService {
  readonly app: INestApplication;
  readonly url: string;
}

export async function runService(options: RunServiceOptions): Promise<RunningService> {
  const { identity, settings } = options;
  const logger = createLogger(identity.service, identity.id, settings.logLevel);
  const app = await NestFactory.create(options.module, { logger: new PinoNestLogger(logger), abortOnError: false });
  app.connectMicroservice(
    {
      strategy: new RunnelNatsServer({
        servers: settings.natsUrl.split(','),
        queue: options.queue,
        subjectParams: options.subjectParams,
        name: `${identity.service}:${identity.id}:rpc`,
      }),
    },
    { inheritAppConfig: true },
  );
  app.useGlobalFilters(new RunnelErrorFilter());
  await app.startAllMicroservices();
  await app.listen(settings.httpPort, settings.httpHost);
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://${settings.httpHost}:${address.port}`;
  logger.info({ url, nats: settings.natsUrl, version: identity.version }, `${identity.service} ready`);
  closeOnSignals(app, logger);
  if (settings.parentPid) watchParent(settings.parentPid, app, logger);
  return { app, url };
}

const SHUTDOWN_DEADLINE_MS = 15_000;

/**
 * SIGTERM/SIGINT close the app (shutdown hooks run: NATS drained, pools closed) and exit 0. Nest's
 * own enableShutdownHooks re-raises the signal instead, which reads as a crash to a supervisor.
 */
function closeOnSignals(app: INestApplication, logger: ReturnType<typeof createLogger>): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms; exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app.close().then(
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

function watchParent(parentPid: number, app: INestApplication, logger: ReturnType<typeof createLogger>): void {
  const timer = setInterval(() => {
    try {
      process.kill(parentPid, 0);
    } catch {
      clearInterval(timer);
      logger.warn({ parentPid }, 'parent process is gone; shutting down');
      void app.close().finally(() => process.exit(0));
    }
  }, 500);
  timer.unref();
}

/** For a service's main.ts: report a bad configuration or a failed start, and exit non-zero. */
export function exitOnStartFailure(service: string, error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${service}: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${service} failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
}
