// Can another user (the `postgres` user, when we run as root) reach a path? Decided from stat
// modes the way the kernel does it: the owner's bits when the user owns the file, else the
// group's bits when the file's group is one of the user's groups (primary or supplementary),
// else the other bits. Every ancestor directory needs search (x) permission. POSIX ACLs and
// capabilities are not looked at (we only ever use this to decide where Postgres can live).

import { spawnSync } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A user as the kernel sees it for permission checks. */
export interface UserIdentity {
  readonly name?: string;
  readonly uid: number;
  readonly gid: number;
  /** All group ids of the user, including `gid` (as printed by `id -G`). */
  readonly groups: readonly number[];
}

/** The part of fs.Stats this module needs. */
export interface ModeStat {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

export type StatFn = (path: string) => ModeStat;

/** Permission bits, as in the "other" triplet: read 4, write 2, execute/search 1. */
export const ACCESS_READ = 4;
export const ACCESS_WRITE = 2;
export const ACCESS_EXECUTE = 1;

/** True when `user` has every permission in `want` (a bitmask of ACCESS_*) on a file with `stat`. */
export function permits(stat: ModeStat, user: UserIdentity, want: number): boolean {
  if (user.uid === 0) {
    // root may read and write anything, and execute when anyone may (or it is a directory).
    const isDir = (stat.mode & 0o170000) === 0o040000;
    return (want & ACCESS_EXECUTE) === 0 || isDir || (stat.mode & 0o111) !== 0;
  }
  let bits: number;
  if (stat.uid === user.uid) bits = (stat.mode >> 6) & 7;
  else if (stat.gid === user.gid || user.groups.includes(stat.gid)) bits = (stat.mode >> 3) & 7;
  else bits = stat.mode & 7;
  return (bits & want) === want;
}

/** Why a path is out of reach. */
export interface Blocked {
  /** The path that denies access: an ancestor the user cannot search, or the target itself. */
  readonly path: string;
  /** Permission bits of `path` (e.g. 0o700), or undefined when it could not be stat'ed. */
  readonly mode?: number;
  readonly reason: string;
}

/**
 * Undefined when `user` can search every ancestor of `target` and has `want` on `target` itself
 * (`want` 0: only the ancestors matter, e.g. a directory we are about to create); otherwise the
 * first path in the way. A path reached through symlinks is checked along both its written and
 * its resolved form.
 */
export function findBlockingPath(
  target: string,
  user: UserIdentity,
  want: number,
  stat: StatFn = statSync,
  realpath: (path: string) => string = realpathSync,
): Blocked | undefined {
  const written = resolve(target);
  const chains = [written];
  try {
    const real = realpath(written);
    if (real !== written) chains.push(real);
  } catch {
    // does not exist (yet): the written form is all there is
  }
  for (const path of chains) {
    const blocked = checkChain(path, user, want, stat);
    if (blocked) return blocked;
  }
  return undefined;
}

function checkChain(target: string, user: UserIdentity, want: number, stat: StatFn): Blocked | undefined {
  const ancestors: string[] = [];
  for (let dir = dirname(target); ; dir = dirname(dir)) {
    ancestors.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of ancestors) {
    let st: ModeStat;
    try {
      st = stat(dir);
    } catch (error) {
      return { path: dir, reason: `cannot stat ${dir}: ${(error as Error).message}` };
    }
    if (!permits(st, user, ACCESS_EXECUTE)) {
      const reason = `${describeUser(user)} cannot enter ${dir} (${describeStat(st)})`;
      return { path: dir, mode: st.mode & 0o7777, reason };
    }
  }
  if (want === 0) return undefined;
  let st: ModeStat;
  try {
    st = stat(target);
  } catch (error) {
    return { path: target, reason: `cannot stat ${target}: ${(error as Error).message}` };
  }
  if (!permits(st, user, want)) {
    return {
      path: target,
      mode: st.mode & 0o7777,
      reason: `${describeUser(user)} lacks ${describeWant(want)} permission on ${target} (${describeStat(st)})`,
    };
  }
  return undefined;
}

/** Uid, gid and all groups of a user (`id -u/-g/-G NAME`), or undefined when there is no such user. */
export function lookupUser(name: string): UserIdentity | undefined {
  const run = (flag: string): string | undefined => {
    const out = spawnSync('id', [flag, name], { encoding: 'utf8' });
    return out.status === 0 ? out.stdout.trim() : undefined;
  };
  const uid = run('-u');
  const gid = run('-g');
  const groups = run('-G');
  if (uid === undefined || gid === undefined) return undefined;
  const all = (groups ?? gid).split(/\s+/).filter(Boolean).map(Number);
  return { name, uid: Number(uid), gid: Number(gid), groups: all.includes(Number(gid)) ? all : [Number(gid), ...all] };
}

/**
 * The identity a child spawned by Node with `{ uid, gid }` really has: libuv calls
 * setgroups(0, NULL) before setgid/setuid, so supplementary groups are dropped. Decide what the
 * child can reach with this, not with the user's full group list.
 */
export function spawnedIdentity(user: UserIdentity): UserIdentity {
  return { ...user, groups: [user.gid] };
}

function describeUser(user: UserIdentity): string {
  return user.name ? `user ${user.name}` : `uid ${user.uid}`;
}

function describeWant(want: number): string {
  return [want & ACCESS_READ ? 'read' : '', want & ACCESS_WRITE ? 'write' : '', want & ACCESS_EXECUTE ? 'execute' : '']
    .filter(Boolean)
    .join('+');
}

function describeStat(st: ModeStat): string {
  return `mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}, owner ${st.uid}:${st.gid}`;
}
