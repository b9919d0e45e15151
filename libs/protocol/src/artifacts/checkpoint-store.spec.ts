import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptCheckpointError, DirectoryCheckpointStore, sha256Hex, CheckpointIds, JobIds } from '../index';

describe('DirectoryCheckpointStore', () => {
  const root = mkdtempSync(join(tmpdir(), 'runnel-cp-dir-'));
  const store = new DirectoryCheckpointStore(root);
  const job = JobIds.parse('d'.repeat(32));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes state with its checksum and reads it back', async () => {
    const bytes = new TextEncoder().encode('state of subtask 1');
    const written = await store.write(job, CheckpointIds.parse(3), 'sum', 1, bytes);
    expect(written).toEqual({ handle: `${job}/chk-3/sum/1`, size: bytes.length, checksum: sha256Hex(bytes) });
    expect(Buffer.from(await store.read(written.handle, written.checksum)).toString()).toBe('state of subtask 1');
  });

  it('refuses state that does not match its checksum, or is missing', async () => {
    const written = await store.write(job, CheckpointIds.parse(4), 'sum', 0, new TextEncoder().encode('good'));
    writeFileSync(join(root, written.handle), 'tampered');
    await expect(store.read(written.handle, written.checksum)).rejects.toBeInstanceOf(CorruptCheckpointError);
    await expect(store.read(`${job}/chk-9/x/0`, written.checksum)).rejects.toThrow(/missing/);
  });

  it('deletes one checkpoint and nothing else', async () => {
    await store.write(job, CheckpointIds.parse(5), 'a', 0, new Uint8Array([1]));
    await store.deleteCheckpoint(job, CheckpointIds.parse(5));
    expect(readdirSync(join(root, job)).sort()).toEqual(['chk-3', 'chk-4']);
  });

  it('removes a job’s directory only once it is empty', async () => {
    const other = JobIds.parse('e'.repeat(32));
    await store.createJobBucket(other);
    await store.write(other, CheckpointIds.parse(1), 'a', 0, new Uint8Array([1]));
    expect(await store.deleteJobBucketIfEmpty(other)).toBe(false);
    await store.deleteCheckpoint(other, CheckpointIds.parse(1));
    expect(await store.deleteJobBucketIfEmpty(other)).toBe(true);
    expect(readdirSync(root).sort()).toEqual([job]);
    expect(await store.deleteJobBucketIfEmpty(other)).toBe(true);
  });
});
