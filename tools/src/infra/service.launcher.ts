// Runs one Runnel service (`node apps/<service>/dist/main.js`) as a supervised child process.
// The service gets RUNNEL_PARENT_PID so it exits when we are gone, and (on Linux) a kernel
// parent-death SIGKILL as the line of defence that cannot fail.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RepoNotFoundError, ServiceNotBuiltError } from './infra.errors';
import { startManagedProcess, type ManagedProcess, type OutputSink } from './managed-process.util';

export const SERVICES = ['dispatcher', 'jobmanager', 'resourcemanager', 'taskmanager'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface SpawnServiceOptions {
  readonly service: ServiceName;
  /** Display name and log prefix (default: the service name), e.g. `taskmanager-2`. */
  readonly name?: string;
  /** Variables set on top of our own environment; `undefined` removes one. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default: lines prefixed with the name on our stdout. */
  readonly output?: OutputSink;
  /** Default: the repository containing this module. */
  readonly repoRoot?: string;
  /** Extra node flags, e.g. ['--enable-source-maps']. */
  readonly nodeArgs?: readonly string[];
  /** Run in this network namespace (a test's other host; see managed-process.util.ts). */
  readonly netns?: string;
}

export type ServiceHandle = ManagedProcess & { readonly service: ServiceName };

/** The Nx workspace root: the nearest ancestor of this module (or of cwd) holding nx.json. */
export function findRepoRoot(start: string = __dirname): string {
  for (const origin of [start, process.cwd()]) {
    for (let dir = origin; ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'nx.json'))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  throw new RepoNotFoundError(`no nx.json above ${start} or ${process.cwd()}`);
}

export function serviceEntryPoint(service: ServiceName, repoRoot: string = findRepoRoot()): string {
  return join(repoRoot, 'apps', service, 'dist', 'main.js');
}

export function spawnService(options: SpawnServiceOptions): ServiceHandle {
  const repoRoot = options.repoRoot ?? findRepoRoot();
  const main = serviceEntryPoint(options.service, repoRoot);
  if (!existsSync(main)) {
    throw new ServiceNotBuiltError(`${main} does not exist; build the services first: npx nx run-many -t build`);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, RUNNEL_PARENT_PID: String(process.pid) };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const proc = startManagedProcess({
    name: options.name ?? options.service,
    command: process.execPath,
    args: [...(options.nodeArgs ?? []), main],
    cwd: repoRoot,
    env,
    output: options.output,
    stopSignal: 'SIGTERM',
    // When we die, a service must go for sure: SIGKILL, not SIGTERM. A Node service told to stop
    // at the very moment its NATS server goes away too was seen to hang in process exit (main
    // thread blocked, its own shutdown deadline unable to fire); graceful close buys nothing
    // when the whole cluster is going down anyway.
    parentDeathSignal: 'SIGKILL',
    netns: options.netns,
  });
  return Object.assign(proc, { service: options.service });
}
