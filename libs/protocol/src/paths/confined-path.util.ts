/**
 * Paths confined to configured roots (savepoint directories, the checkpoint directory). A path is
 * compared with its roots after every symlink in it is resolved — those of its longest existing
 * part with the file system, a dangling link by reading it — so neither `/root/../etc` nor a
 * symlink inside a root pointing out of it passes. Anything else is a ValidationError that names
 * the allowed roots.
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { ValidationError } from '../errors/runnel-errors';

/** Longest path accepted anywhere (Linux' PATH_MAX). */
export const MAX_PATH_LENGTH = 4096;
const MAX_SYMLINKS = 40;

class UnresolvablePathError extends Error {}

/**
 * The real path of `path` (made absolute against the working directory): symlinks resolved as far
 * as the path exists; the part that does not exist yet is appended as written (normalised).
 */
export function realPathOf(path: string): string {
  return resolveReal(resolve(path), 0);
}

function resolveReal(absolute: string, links: number): string {
  try {
    return realpathSync.native(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new UnresolvablePathError(`${code ?? 'error'}: ${(error as Error).message}`);
  }
  // Walk forward from the file-system root: every existing component is real or a symlink (which may
  // dangle: realpath refuses it, but mkdir/writeFile would follow it).
  const parts = absolute.split(sep).filter((p) => p.length > 0);
  let current = realpathSync.native(sep);
  for (let i = 0; i < parts.length; i++) {
    const next = join(current, parts[i]);
    let isLink: boolean;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch {
      return join(next, ...parts.slice(i + 1));
    }
    if (isLink) {
      if (links >= MAX_SYMLINKS) throw new UnresolvablePathError('too many levels of symbolic links');
      current = resolveReal(resolve(dirname(next), readlinkSync(next)), links + 1);
    } else {
      current = next;
    }
  }
  return current;
}

/** Whether `child` is `root` or below it (both real, absolute paths). */
export function isWithin(child: string, root: string): boolean {
  if (child === root) return true;
  return child.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Why `value` cannot be a path at all (before any root is looked at), or undefined. */
export function pathShapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  if (value.length > MAX_PATH_LENGTH) return `must be at most ${MAX_PATH_LENGTH} characters`;
  if (value.includes('\0')) return 'must not contain NUL characters';
  if (!isAbsolute(value)) return 'must be an absolute path';
  return undefined;
}

/** A `:`-separated list of roots (like PATH), each an absolute path. */
export function parsePathList(list: string): string[] {
  return list
    .split(':')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** A set of allowed roots, named by the setting that configures them (for the error messages). */
export class ConfinedRoots {
  readonly roots: readonly string[];

  constructor(
    roots: readonly string[],
    readonly setting: string,
  ) {
    if (roots.length === 0) throw new Error(`${setting}: at least one directory is needed`);
    for (const root of roots) {
      const problem = pathShapeProblem(root);
      if (problem) throw new Error(`${setting}: ${JSON.stringify(root)} ${problem}`);
    }
    this.roots = roots.map((r) => resolve(r));
  }

  static fromList(list: string, setting: string): ConfinedRoots {
    return new ConfinedRoots(parsePathList(list), setting);
  }

  describe(): string {
    return `${this.setting}: ${this.roots.join(', ')}`;
  }

  /**
   * The real path of `value` when it is inside one of the roots; a ValidationError on `field`
   * naming the allowed roots otherwise.
   */
  confine(value: unknown, field: string): string {
    const shape = pathShapeProblem(value);
    if (shape) throw this.refuse(field, value, shape);
    let real: string;
    try {
      real = realPathOf(value as string);
    } catch (error) {
      throw this.refuse(field, value, `cannot be resolved (${(error as Error).message})`);
    }
    for (const root of this.roots) {
      let realRoot: string;
      try {
        realRoot = realPathOf(root);
      } catch {
        continue;
      }
      if (isWithin(real, realRoot)) return real;
    }
    throw this.refuse(field, value, `must be inside one of the allowed directories (${this.describe()})`);
  }

  private refuse(field: string, value: unknown, problem: string): ValidationError {
    const shown = typeof value === 'string' ? JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value) : typeof value;
    return new ValidationError(`Invalid ${field} ${shown}: ${problem}; allowed directories are ${this.describe()}`, [
      { field, problems: [problem, `allowed: ${this.roots.join(', ')}`] },
    ]);
  }
}

/**
 * `relative` joined to `base`, when it is a plain relative path (no absolute path, no `..`, no
 * empty or `.` segments, no NUL or backslash) whose real path stays inside `base`; else undefined.
 */
export function confinedJoin(base: string, relative: string): string | undefined {
  if (relativePathProblem(relative)) return undefined;
  const realBase = realPathOf(base);
  const real = realPathOf(join(realBase, relative));
  return isWithin(real, realBase) && real !== realBase ? real : undefined;
}

/** Why `value` is not a plain relative path (see confinedJoin), or undefined. */
export function relativePathProblem(value: unknown, maxLength = 1024): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty string';
  if (value.length > maxLength) return `must be at most ${maxLength} characters`;
  if (value.includes('\0') || value.includes('\\')) return 'must not contain NUL characters or backslashes';
  if (value.startsWith('/')) return 'must be a relative path';
  if (value.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) return 'must not contain empty, "." or ".." segments';
  return undefined;
}
