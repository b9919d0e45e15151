/**
 * A service's own log files in LOG_DIR, as the REST API serves them: `<LOG_NAME>.log`, a
 * TaskManager's user-code output `<LOG_NAME>.out`, and their rotations (`<name>.log.1`, …). A name
 * is served only when it is one of these — no other service's files, no directory part, no
 * symlink out of LOG_DIR — so a request cannot read anything else on the machine.
 */
import { LOG_FILE_NAME, MAX_LOG_CHUNK_BYTES, NotFoundError, ValidationError } from '@runnel/protocol';
import { lstat, open, readdir, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { ServiceIdentity } from '../admin/service-identity';
import type { ServiceSettings } from '../config/service-settings';

export const LOG_FILES = Symbol('LOG_FILES');

export interface LogFileEntry {
  readonly name: string;
  readonly size: number;
  readonly mtime: number;
}

/** The base name of a service's log files: LOG_NAME, else the service (a TaskManager: taskmanager-<resource id>). */
export function logNameOf(settings: Pick<ServiceSettings, 'logName'>, identity: Pick<ServiceIdentity, 'service' | 'id'>): string {
  return settings.logName ?? (identity.service === 'taskmanager' ? `taskmanager-${identity.id}` : identity.service);
}

export class LogFiles {
  constructor(
    /** LOG_DIR; undefined when the service keeps no log files. */
    readonly directory: string | undefined,
    readonly baseName: string,
  ) {}

  static of(settings: Pick<ServiceSettings, 'logDir' | 'logName'>, identity: Pick<ServiceIdentity, 'service' | 'id'>): LogFiles {
    return new LogFiles(settings.logDir, logNameOf(settings, identity));
  }

  /** The service's log file (`<name>.log`) and its user-code output file (`<name>.out`). */
  get logFile(): string {
    return `${this.baseName}.log`;
  }

  get stdoutFile(): string {
    return `${this.baseName}.out`;
  }

  path(file: string): string | undefined {
    return this.directory ? join(this.directory, file) : undefined;
  }

  /** Whether `name` is one of this service's files (checked before the file system is touched). */
  owns(name: string): boolean {
    if (!LOG_FILE_NAME.test(name)) return false;
    return [this.logFile, this.stdoutFile].some((own) => name === own || (name.startsWith(`${own}.`) && /^\d+$/.test(name.slice(own.length + 1))));
  }

  async list(): Promise<{ logs: LogFileEntry[]; note?: string }> {
    if (!this.directory) return { logs: [], note: 'LOG_DIR is not set: this service keeps no log files' };
    const names = await readdir(this.directory).catch(() => [] as string[]);
    const logs: LogFileEntry[] = [];
    for (const name of names.filter((n) => this.owns(n)).sort()) {
      const info = await lstat(join(this.directory, name)).catch(() => undefined);
      if (info?.isFile()) logs.push({ name, size: info.size, mtime: info.mtimeMs });
    }
    return { logs };
  }

  /** Up to `length` bytes of one of its files from `offset`. */
  async read(name: string, offset = 0, length = MAX_LOG_CHUNK_BYTES): Promise<{ name: string; size: number; offset: number; data: string }> {
    if (!LOG_FILE_NAME.test(name)) {
      throw new ValidationError(`Invalid log file name ${JSON.stringify(name.slice(0, 100))}: a file name, no directory`, [{ field: 'name', problems: ['must be a log file name'] }]);
    }
    if (!this.directory || !this.owns(name)) throw new NotFoundError('Log file', name);
    const path = join(this.directory, name);
    const info = await lstat(path).catch(() => undefined);
    // A symlink is not followed: it could point anywhere.
    if (!info?.isFile()) throw new NotFoundError('Log file', name);
    const real = await realpath(path).catch(() => undefined);
    const root = await realpath(this.directory).catch(() => undefined);
    if (!real || !root || !real.startsWith(root + sep)) throw new NotFoundError('Log file', name);
    const handle = await open(real, 'r');
    try {
      const size = (await handle.stat()).size;
      const start = Math.min(offset, size);
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, MAX_LOG_CHUNK_BYTES, size - start)));
      const { bytesRead } = buffer.length ? await handle.read(buffer, 0, buffer.length, start) : { bytesRead: 0 };
      return { name, size, offset: start, data: buffer.subarray(0, bytesRead).toString('base64') };
    } finally {
      await handle.close();
    }
  }
}
