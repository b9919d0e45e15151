import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { DirectoryCheckpointStore, type CheckpointFs, CheckpointIds, JobIds } from '../index';

/** The real file system, written out here (not the port's default) so the test does not depend on it. */
async function writeSynced(path: string, bytes: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'w');
  await handle.writeFile(bytes);
  await handle.sync();
  await handle.close();
}
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  await handle.sync();
  await handle.close();
}

/** The real node:fs, with every call recorded in order (a write is recorded once it is fsynced). */
function recordingFs(): { fs: CheckpointFs; calls: string[] } {
  const calls: string[] = [];
  const fs: CheckpointFs = {
    mkdir: async (path) => mkdir(path, { recursive: true }),
    writeFileSynced: async (path, bytes) => {
      await writeSynced(path, bytes);
      calls.push(`fsync-file ${path}`);
    },
    rename: async (from, to) => {
      await rename(from, to);
      calls.push(`rename ${from} -> ${to}`);
    },
    fsyncDirectory: async (path) => {
      await syncDirectory(path);
      calls.push(`fsync-dir ${path}`);
    },
    remove: async (path) => rm(path, { force: true }),
  };
  return { fs, calls };
}

describe('DirectoryCheckpointStore durability', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'runnel-cp-fsync-')));
  const job = JobIds.parse('e'.repeat(32));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('fsyncs the state file, renames it into place and fsyncs its directory before it acknowledges', async () => {
    const { fs, calls } = recordingFs();
    const store = new DirectoryCheckpointStore(root, fs);
    const written = await store.write(job, CheckpointIds.parse(7), 'sum', 1, new TextEncoder().encode('state'));
    const file = join(root, written.handle);
    const temporary = `${file}.${process.pid}.tmp`;
    // What was recorded when write() resolved, i.e. before the task could send its acknowledgement.
    const fileSync = calls.indexOf(`fsync-file ${temporary}`);
    const renamed = calls.indexOf(`rename ${temporary} -> ${file}`);
    const dirSync = calls.lastIndexOf(`fsync-dir ${dirname(file)}`);
    expect(fileSync).toBeGreaterThanOrEqual(0);
    expect(renamed).toBeGreaterThan(fileSync);
    expect(dirSync).toBeGreaterThan(renamed);
    // The directories the write created (job, chk-7, sum) are made durable in their parents.
    for (const dir of [root, join(root, job), join(root, job, 'chk-7')]) expect(calls).toContain(`fsync-dir ${dir}`);
    expect(readFileSync(file, 'utf8')).toBe('state');
    expect(readdirSync(dirname(file))).toEqual(['1']);
  });

  it('leaves no temporary file when the rename fails, and does not acknowledge', async () => {
    const { fs } = recordingFs();
    const failing: CheckpointFs = { ...fs, rename: async () => Promise.reject(new Error('EIO')) };
    const store = new DirectoryCheckpointStore(root, failing);
    await expect(store.write(job, CheckpointIds.parse(8), 'sum', 0, new Uint8Array([1]))).rejects.toThrow('EIO');
    expect(readdirSync(join(root, job, 'chk-8', 'sum'))).toEqual([]);
    expect(existsSync(join(root, job, 'chk-8', 'sum', '0'))).toBe(false);
  });
});
