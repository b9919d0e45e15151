// One child process we started and are responsible for: its output goes line by line to a sink
// (prefixed on our stdout, a log file, a log file plus readable lines on a terminal, or only a
// ring buffer), its exit is a promise, and stop() is "signal, wait, SIGKILL after a deadline".
// Children run in their own process group so that a terminal's Ctrl-C reaches only the parent,
// which then stops them in order; and, where setpriv allows, the kernel signals them when the
// parent dies, so none outlives a SIGKILLed parent.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { findExecutable, pdeathsigWrapper } from './executable.util';
import { ProcessStartError } from './infra.errors';
import { DEFAULT_TERMINAL_LOG_LEVEL, formatServiceLine, type LogLevelName } from './log-line.format';

/** Where a child's output lines go (they are always kept in the ring buffer too). */
export type OutputSink =
  | { readonly type: 'prefix'; readonly stream?: NodeJS.WritableStream }
  | { readonly type: 'file'; readonly path: string }
  | ServiceOutputSink
  | { readonly type: 'buffer' };

/**
 * For a service logging pino JSON: every line, unchanged, appended to `file`; and on `stream`
 * one human line per log record at or above `minLevel` (non-JSON lines always), coloured only
 * when the stream is a TTY (and NO_COLOR is unset).
 */
export interface ServiceOutputSink {
  readonly type: 'service';
  /** e.g. `<logDir>/<name>.log`; its directory is created. */
  readonly file: string;
  /** Default: process.stdout. */
  readonly stream?: NodeJS.WritableStream;
  /** Default: 'warn'. The file always gets everything. */
  readonly minLevel?: LogLevelName;
  /** Shown in the name column (default: the process's name). */
  readonly name?: string;
  /** Width of the name column (default 16); pass the longest name of the cluster. */
  readonly nameWidth?: number;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ManagedProcessOptions {
  /** Short name used as log prefix and in errors. */
  readonly name: string;
  readonly command: string;
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Run as this user/group (postgres refuses to run as root). */
  readonly uid?: number;
  readonly gid?: number;
  /**
   * Run inside this network namespace (`ip netns exec`, needs root): a test's other "host". The
   * process keeps its pid, so stop() and kill() work as usual; uid/gid are then dropped by setpriv
   * inside the namespace, as `ip netns exec` itself must run as root.
   */
  readonly netns?: string;
  readonly output?: OutputSink;
  /** Signal for a graceful stop (default SIGTERM; postgres wants SIGINT, a "fast" shutdown). */
  readonly stopSignal?: NodeJS.Signals;
  /** Signal the kernel sends the child when we die; null disables. Default: the stop signal. */
  readonly parentDeathSignal?: NodeJS.Signals | null;
  /** How many output lines to keep for logs() (default 500). */
  readonly keepLines?: number;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  /** Undefined while running. */
  exitInfo(): ExitInfo | undefined;
  /** The last output lines (stdout and stderr interleaved as they arrived). */
  logs(): readonly string[];
  /** Graceful stop: stop signal, then SIGKILL to its process group after `timeoutMs` (default 10 s). */
  stop(timeoutMs?: number): Promise<ExitInfo>;
  /** SIGKILL now (simulates a crash in tests). */
  kill(): Promise<ExitInfo>;
}

export function startManagedProcess(options: ManagedProcessOptions): ManagedProcess {
  const stopSignal = options.stopSignal ?? 'SIGTERM';
  const deathSignal = options.parentDeathSignal === undefined ? stopSignal : options.parentDeathSignal;
  const wrapper = deathSignal ? pdeathsigWrapper() : undefined;
  let [command, args] = wrapper
    ? [wrapper, ['--pdeathsig', deathSignal as string, '--', options.command, ...(options.args ?? [])]]
    : [options.command, [...(options.args ?? [])]];
  if (options.netns) [command, args] = inNetworkNamespace(options.netns, command, args, options);

  const child: ChildProcess = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    uid: options.netns ? undefined : options.uid,
    gid: options.netns ? undefined : options.gid,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) {
    // spawn reports ENOENT/EACCES asynchronously, but then pid is undefined right away.
    child.on('error', () => undefined);
    throw new ProcessStartError(`could not start ${options.name} (${options.command})`);
  }
  const pid = child.pid;

  const keep = options.keepLines ?? 500;
  const lines: string[] = [];
  const sink = openSink(options.name, options.output ?? { type: 'prefix' });
  const onLine = (line: string): void => {
    lines.push(line);
    if (lines.length > keep) lines.splice(0, lines.length - keep);
    sink.write(line);
  };
  const streams = [child.stdout, child.stderr].filter((s): s is NonNullable<typeof s> => s !== null);
  const readers = streams.map((stream) => {
    const reader = createInterface({ input: stream, crlfDelay: Infinity });
    reader.on('line', onLine);
    return new Promise<void>((resolve) => reader.once('close', resolve));
  });

  let info: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (error) => onLine(`[spawn error] ${error.message}`));
    // 'close' (not 'exit'): all output has been read by then, so logs() is complete.
    child.once('close', (code, signal) => {
      void Promise.all(readers).then(() => {
        info = { code, signal };
        sink.close();
        resolve(info);
      });
    });
  });

  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // group already gone
    }
  };

  return {
    name: options.name,
    pid,
    exited,
    exitInfo: () => info,
    logs: () => lines,
    async stop(timeoutMs = 10_000) {
      if (info) return info;
      try {
        process.kill(pid, stopSignal);
      } catch {
        // already exiting
      }
      const timer = setTimeout(() => signalGroup('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      // Grandchildren left in its group (a service's helpers) must not outlive it.
      signalGroup('SIGKILL');
      return result;
    },
    async kill() {
      if (info) return info;
      signalGroup('SIGKILL');
      return exited;
    },
  };
}

/**
 * `ip netns exec <ns> [setpriv --reuid --regid --clear-groups] <command>`: each step execs the
 * next, so the child's pid stays the one we signal. The credentials change comes first because
 * it would clear a parent-death signal set before it.
 */
function inNetworkNamespace(
  netns: string,
  command: string,
  args: readonly string[],
  options: Pick<ManagedProcessOptions, 'uid' | 'gid' | 'name'>,
): [string, string[]] {
  const ip = findExecutable('ip', ['/usr/sbin', '/sbin', '/usr/bin']);
  if (!ip) throw new ProcessStartError(`cannot start ${options.name} in network namespace ${netns}: ip (iproute2) not found; apt-get install -y iproute2`);
  const drop: string[] = [];
  if (options.uid !== undefined) {
    const setpriv = findExecutable('setpriv', ['/usr/bin', '/bin']);
    if (!setpriv) throw new ProcessStartError(`cannot start ${options.name} as uid ${options.uid} in network namespace ${netns}: setpriv (util-linux) not found`);
    drop.push(setpriv, `--reuid=${options.uid}`, `--regid=${options.gid ?? options.uid}`, '--clear-groups');
  }
  return [ip, ['netns', 'exec', netns, ...drop, command, ...args]];
}

interface LineSink {
  write(line: string): void;
  close(): void;
}

function openSink(name: string, output: OutputSink): LineSink {
  switch (output.type) {
    case 'prefix': {
      const stream = output.stream ?? process.stdout;
      return { write: (line) => stream.write(`${name} | ${line}\n`), close: () => undefined };
    }
    case 'file': {
      const file = appendStream(output.path);
      return { write: (line) => file.write(`${line}\n`), close: () => file.end() };
    }
    case 'service': {
      const file = appendStream(output.file);
      const stream = output.stream ?? process.stdout;
      const label = output.name ?? name;
      const format = {
        colors: isTty(stream) && !process.env['NO_COLOR'],
        minLevel: output.minLevel ?? DEFAULT_TERMINAL_LOG_LEVEL,
        nameWidth: output.nameWidth,
      };
      return {
        write: (line) => {
          file.write(`${line}\n`);
          const shown = formatServiceLine(label, line, format);
          if (shown !== undefined) stream.write(`${shown}\n`);
        },
        close: () => file.end(),
      };
    }
    case 'buffer':
      return { write: () => undefined, close: () => undefined };
  }
}

function appendStream(path: string): WriteStream {
  mkdirSync(dirname(path), { recursive: true });
  return createWriteStream(path, { flags: 'a' });
}

function isTty(stream: NodeJS.WritableStream): boolean {
  return (stream as Partial<NodeJS.WriteStream>).isTTY === true;
}
