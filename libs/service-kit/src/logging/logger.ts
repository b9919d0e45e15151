/**
 * JSON logs (pino) on stdout, and the adapter that sends Nest's own logs there too, so one service
 * writes one stream of JSON lines.
 */
import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LogLevel } from '../config/service-settings';

/** JSON lines on stdout; with `file`, also appended to that file (LOG_DIR/LOG_NAME.log, LOG_TO_FILE). */
export function createLogger(service: string, id: string, level: LogLevel, file?: string): Logger {
  const options = { level, base: { service, id, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (!file) return pino(options);
  mkdirSync(dirname(file), { recursive: true });
  return pino(options, pino.multistream([
    { level, stream: process.stdout },
    { level, stream: pino.destination({ dest: file, append: true, mkdir: true, sync: true }) },
  ]));
}

export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]): void {
    // Nest passes (message, [stack], context); the context is always the last string.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = typeof rest[0] === 'string' ? rest[0] : undefined;
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...message });
    else this.logger[level]({ context, stack }, String(message));
  }
}
