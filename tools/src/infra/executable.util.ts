// Finds executables on PATH (and in extra directories such as /usr/sbin, which is not on every
// user's PATH on Debian), and knows whether setpriv can give children a parent-death signal.

import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';

/** Absolute path of `name` on PATH or in `extraDirs`, or undefined. */
export function findExecutable(name: string, extraDirs: readonly string[] = []): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

let setprivPath: string | null | undefined;

/**
 * Path of a setpriv that supports --pdeathsig (util-linux ≥ 2.33, present on Debian 10+), or
 * undefined. With it a child gets a signal from the kernel when we die, even by SIGKILL —
 * the only way to stop a nats-server or postgres that cannot watch its parent itself.
 */
export function pdeathsigWrapper(): string | undefined {
  if (setprivPath === undefined) {
    const found = process.platform === 'linux' ? findExecutable('setpriv', ['/usr/bin', '/bin']) : undefined;
    const help = found ? spawnSync(found, ['--help'], { encoding: 'utf8' }).stdout ?? '' : '';
    setprivPath = found && help.includes('--pdeathsig') ? found : null;
  }
  return setprivPath ?? undefined;
}
