// Runs a built service (apps/<name>/dist/main.js) for a test. Output is kept in memory
// (logs()); set RUNNEL_E2E_LOGS=1 to also see it on stderr, prefixed with the service name.

import { spawnService, type ExitInfo, type ServiceName } from '@runnel/tools';

export interface TestService {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  /** Output lines so far (JSON lines from the service's logger). */
  logs(): readonly string[];
  /** SIGTERM, SIGKILL after `timeoutMs` (default 10 s); resolves with the exit. */
  stop(timeoutMs?: number): Promise<ExitInfo>;
  /** SIGKILL (a crash). */
  kill(): Promise<ExitInfo>;
}

export function startService(
  service: ServiceName,
  env: Readonly<Record<string, string | undefined>>,
  name: string = service,
  options: { readonly netns?: string } = {},
): TestService {
  const handle = spawnService({
    service,
    name,
    netns: options.netns,
    env: { LOG_LEVEL: 'info', ...env },
    output: process.env['RUNNEL_E2E_LOGS'] ? { type: 'prefix', stream: process.stderr } : { type: 'buffer' },
  });
  // A service that exits without the test asking (a crash, a lost leadership, a failed start)
  // prints its last lines: otherwise a CI log shows only the requests nobody answered later.
  let asked = false;
  void handle.exited.then((exit) => {
    if (asked || process.env['RUNNEL_E2E_LOGS']) return;
    const tail = handle
      .logs()
      .slice(-UNEXPECTED_EXIT_LINES)
      .map((line) => (line.length > 600 ? `${line.slice(0, 600)}…` : line));
    process.stderr.write(`[e2e] ${name} (pid ${handle.pid}) exited by itself (code ${exit.code}, signal ${exit.signal}); its last lines:\n${tail.map((l) => `  ${name}| ${l}`).join('\n')}\n`);
  });
  return {
    name,
    pid: handle.pid,
    exited: handle.exited,
    logs: () => handle.logs(),
    stop: (timeoutMs) => {
      asked = true;
      return handle.stop(timeoutMs);
    },
    kill: () => {
      asked = true;
      return handle.kill();
    },
  };
}

const UNEXPECTED_EXIT_LINES = 30;
