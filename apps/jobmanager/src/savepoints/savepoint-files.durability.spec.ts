import { CheckpointIds, DirectoryCheckpointStore, JobIds, type CheckpointFs } from '@runnel/protocol';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointRecord } from '../checkpoints/checkpoint.repository';
import { writeSavepointDirectory } from './savepoint-files';

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

describe('savepoint durability', () => {
  const work = realpathSync(mkdtempSync(join(tmpdir(), 'runnel-sp-fsync-')));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('fsyncs every state file and _metadata.json, last, with their directory entries, before it returns', async () => {
    const store = new DirectoryCheckpointStore(join(work, 'checkpoints'));
    const jobId = JobIds.parse('b'.repeat(32));
    const a = await store.write(jobId, CheckpointIds.parse(4), 'sum', 0, new TextEncoder().encode('state A'));
    const b = await store.write(jobId, CheckpointIds.parse(4), 'sum', 1, new TextEncoder().encode('state B'));
    const record: CheckpointRecord = {
      jobId, checkpointId: CheckpointIds.parse(4), attempt: 0, status: 'COMPLETED', isSavepoint: true, triggerTimestamp: 1, completedTimestamp: 2, stateSize: 14,
      handles: [{ vertexId: 'sum', subtaskIndex: 0, ...a }, { vertexId: 'sum', subtaskIndex: 1, ...b }],
      parallelism: { sum: 2 }, operators: { sum: ['sum'] }, failureReason: null, externalPath: null,
    };
    const calls: string[] = [];
    const fs: CheckpointFs = {
      mkdir: (path) => mkdir(path, { recursive: true }),
      writeFileSynced: async (path, bytes) => (await writeSynced(path, bytes), void calls.push(`fsync-file ${path}`)),
      rename: async (from, to) => (await rename(from, to), void calls.push(`rename ${to}`)),
      fsyncDirectory: async (path) => (await syncDirectory(path), void calls.push(`fsync-dir ${path}`)),
      remove: (path) => rm(path, { force: true }),
    };
    const root = join(work, 'savepoints');
    mkdirSync(root);
    const target = await writeSavepointDirectory(store, record, root, fs);
    const files = readdirSync(target).sort();
    expect(files).toEqual(['_metadata.json', 'state-sum-0-0.bin', 'state-sum-1-1.bin']);
    // The savepoint's own directory entry is durable in SAVEPOINT_DIRS.
    expect(calls.indexOf(`fsync-dir ${root}`)).toBeGreaterThanOrEqual(0);
    for (const file of files) {
      const path = join(target, file);
      const synced = calls.findIndex((c) => c.startsWith('fsync-file ') && c.includes(`${path}.`));
      const renamed = calls.indexOf(`rename ${path}`);
      expect(synced).toBeGreaterThanOrEqual(0);
      expect(renamed).toBeGreaterThan(synced);
      expect(calls.slice(renamed + 1)).toContain(`fsync-dir ${target}`);
    }
    // The metadata is the last file written and its directory sync the last call: it names only durable files.
    expect(calls.at(-2)).toBe(`rename ${join(target, '_metadata.json')}`);
    expect(calls.at(-1)).toBe(`fsync-dir ${target}`);
  });
});
