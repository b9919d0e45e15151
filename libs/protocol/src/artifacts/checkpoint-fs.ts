/**
 * The file system under checkpoint directories and savepoints, as a small port: what a durable
 * write needs (write, fsync a file, rename, fsync a directory, mkdir). The default is node:fs; a
 * test injects one that records the calls. `durableWriteFile` is the one way state and savepoint
 * files are written: to a temporary name, fsynced, renamed into place, and the directory fsynced,
 * so a file that was acknowledged survives a power loss or a kernel crash — a rename alone only
 * orders the metadata, the data may still be in the page cache (and a new directory entry is not
 * durable until its directory is synced).
 */
import { open, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export interface CheckpointFs {
  /** Creates `path` and any missing parents; returns the first directory created (as mkdir -p), or undefined. */
  mkdir(path: string): Promise<string | undefined>;
  /** Writes `bytes` to `path` (created or truncated) and fsyncs it before resolving. */
  writeFileSynced(path: string, bytes: Uint8Array | string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** fsyncs a directory, making the entries created or renamed in it durable. */
  fsyncDirectory(path: string): Promise<void>;
  remove(path: string): Promise<void>;
}

export const nodeCheckpointFs: CheckpointFs = {
  mkdir: (path) => mkdir(path, { recursive: true }),
  async writeFileSynced(path, bytes) {
    const handle = await open(path, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => rename(from, to),
  async fsyncDirectory(path) {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  remove: (path) => rm(path, { force: true }),
};

/** Makes a directory and its new parents durable: the new entries are synced in their parents. */
export async function durableMkdir(fs: CheckpointFs, directory: string): Promise<void> {
  const first = await fs.mkdir(directory);
  if (first === undefined) return;
  // Every directory created, from the deepest up to the first one, is an entry in its parent.
  const top = resolve(first);
  for (let dir = resolve(directory); ; dir = dirname(dir)) {
    await fs.fsyncDirectory(dirname(dir));
    if (dir === top || dirname(dir) === dir) return;
  }
}

/**
 * Writes `path` so that it is durable when this resolves: temporary file, fsync, rename, fsync of
 * the directory. A reader never sees a partial file (the rename is atomic); a failed write leaves
 * no temporary file behind.
 */
export async function durableWriteFile(fs: CheckpointFs, path: string, bytes: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await fs.writeFileSynced(temporary, bytes);
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.remove(temporary).catch(() => undefined);
    throw error;
  }
  await fs.fsyncDirectory(dirname(path));
}
