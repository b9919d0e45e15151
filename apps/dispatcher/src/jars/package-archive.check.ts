/**
 * What a .tgz package artifact may contain, checked before anything of it is written to disk
 * (Flink's CVE-2020-17518 class: an upload that writes outside its folder): at most
 * ARTIFACT_MAX_FILES entries of at most ARTIFACT_MAX_UNPACKED_BYTES together; only files,
 * directories and links; no absolute path, no `..`, no link that points outside the archive.
 * Decompression stops as soon as a limit is passed, so a gzip bomb costs no more than the limit.
 * After extraction, `confinedRealPath` checks that a path (the entry, every symlink) really
 * resolves inside the package.
 */
import { InvalidArtifactError } from '@runnel/protocol';
import { lstat, readdir, realpath } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, sep, win32 } from 'node:path';
import { PassThrough, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar';

export interface PackageLimits {
  /** Largest total size of the files, unpacked (ARTIFACT_MAX_UNPACKED_BYTES). */
  readonly maxUnpackedBytes: number;
  /** Most entries (ARTIFACT_MAX_FILES). */
  readonly maxFiles: number;
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
/** Headers and padding: what a tar stream holds beyond the files' contents, at most per entry. */
const TAR_OVERHEAD_PER_ENTRY = 4096;

/** Lists the archive without writing anything; throws InvalidArtifactError naming the first problem. */
export function checkPackageArchive(bytes: Uint8Array, filename: string, limits: PackageLimits): Promise<{ entries: number; unpackedBytes: number }> {
  return new Promise((resolvePromise, reject) => {
    let entries = 0;
    let unpackedBytes = 0;
    let inflated = 0;
    let settled = false;
    const inflatedCap = limits.maxUnpackedBytes + (limits.maxFiles + 2) * TAR_OVERHEAD_PER_ENTRY;
    const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
    const source = gzipped ? createGunzip() : new PassThrough();
    const parser = new tar.Parser({ strict: true });

    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      source.destroy();
      reject(new InvalidArtifactError(`${filename} was refused: ${message}; nothing was stored`));
    };

    parser.on('entry', (entry: tar.ReadEntry) => {
      entry.resume();
      if (settled) return;
      entries++;
      if (entries > limits.maxFiles) return fail(`it has more than ${limits.maxFiles} entries (ARTIFACT_MAX_FILES)`);
      const problem = entryProblem(entry);
      if (problem) return fail(problem);
      if (FILE_TYPES.has(entry.type)) unpackedBytes += entry.size ?? 0;
      if (unpackedBytes > limits.maxUnpackedBytes) {
        fail(`its files unpack to more than ${limits.maxUnpackedBytes} bytes (ARTIFACT_MAX_UNPACKED_BYTES)`);
      }
    });
    parser.on('error', (error: Error) => fail(`it is not a readable .tgz archive (${error.message})`));
    parser.on('end', () => {
      if (settled) return;
      settled = true;
      if (entries === 0) reject(new InvalidArtifactError(`${filename} is not a readable .tgz archive: it has no entries`));
      else resolvePromise({ entries, unpackedBytes });
    });

    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        inflated += chunk.length;
        if (inflated > inflatedCap) {
          fail(`it unpacks to more than ${limits.maxUnpackedBytes} bytes (ARTIFACT_MAX_UNPACKED_BYTES)`);
          return callback();
        }
        callback(null, chunk);
      },
    });
    source.on('error', (error: Error) => fail(`it is not a readable .tgz archive (${error.message})`));
    counter.on('data', (chunk: Buffer) => {
      if (!settled) parser.write(chunk);
    });
    counter.on('end', () => {
      if (!settled) parser.end();
    });
    source.pipe(counter);
    source.end(bytes);
  });
}

function entryProblem(entry: tar.ReadEntry): string | undefined {
  const path = entry.path;
  const shown = JSON.stringify(path);
  if (isAbsolute(path) || win32.isAbsolute(path) || path.startsWith('\\')) return `entry ${shown} has an absolute path`;
  if (path.split(/[\\/]/).includes('..')) return `entry ${shown} has a ".." in its path`;
  if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
    const target = entry.linkpath ?? '';
    const kind = entry.type === 'SymbolicLink' ? 'symbolic link' : 'hard link';
    if (target === '' || isAbsolute(target) || win32.isAbsolute(target)) return `${kind} ${shown} points to ${JSON.stringify(target)}, outside the archive`;
    // A symlink's target is relative to its folder, a hard link's to the archive's root.
    const resolved = posix.normalize(entry.type === 'SymbolicLink' ? posix.join(posix.dirname(path.replace(/\\/g, '/')), target) : target);
    if (resolved === '..' || resolved.startsWith('../')) return `${kind} ${shown} points to ${JSON.stringify(target)}, outside the archive`;
    return undefined;
  }
  if (FILE_TYPES.has(entry.type) || entry.type === 'Directory') return undefined;
  return `entry ${shown} is a ${entry.type}, not a file, directory or link`;
}

/**
 * The real path of `path` when it lies inside `root` (symbolic links followed), else undefined.
 * `root` must be a real path itself.
 */
export async function confinedRealPath(root: string, path: string): Promise<string | undefined> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return undefined;
  }
  const rel = relative(root, real);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) ? real : undefined;
}

/** Every symbolic link under `root` must resolve inside it (chains of links included). */
export async function assertLinksConfined(root: string, filename: string): Promise<void> {
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      const stat = await lstat(path);
      if (stat.isSymbolicLink()) {
        if (!(await confinedRealPath(root, path))) {
          throw new InvalidArtifactError(`${filename} was refused: symbolic link ${JSON.stringify(relative(root, path))} resolves outside the archive (or nowhere); nothing was stored`);
        }
      } else if (stat.isDirectory()) pending.push(path);
    }
  }
}
