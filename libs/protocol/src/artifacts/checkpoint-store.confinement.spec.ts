import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptCheckpointError, DirectoryCheckpointStore, sha256Hex, CheckpointIds, JobIds, type JobId } from '../index';

describe('DirectoryCheckpointStore confinement', () => {
  const work = mkdtempSync(join(tmpdir(), 'runnel-cp-confined-'));
  const root = join(work, 'checkpoints');
  const store = new DirectoryCheckpointStore(root);
  const job = JobIds.parse('e'.repeat(32));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('writes the state of an operator with a hostile uid inside the directory, under an encoded name', async () => {
    const written = await store.write(job, CheckpointIds.parse(1), '../../../x', 0, new Uint8Array([1, 2]));
    expect(written.handle).toBe(`${job}/chk-1/~2E~2E~2F~2E~2E~2F~2E~2E~2Fx/0`);
    expect(existsSync(join(work, 'x'))).toBe(false);
    expect(readdirSync(join(root, job, 'chk-1'))).toEqual(['~2E~2E~2F~2E~2E~2F~2E~2E~2Fx']);
    expect(Buffer.from(await store.read(written.handle, written.checksum))).toEqual(Buffer.from([1, 2]));
  });

  it('refuses handles that name files outside it', async () => {
    writeFileSync(join(work, 'secret'), 'secret');
    const checksum = sha256Hex(Buffer.from('secret'));
    for (const handle of ['../secret', '/etc/passwd', `${job}/../../secret`, '']) {
      await expect(store.read(handle, checksum)).rejects.toBeInstanceOf(CorruptCheckpointError);
    }
    mkdirSync(join(root, 'link-parent'), { recursive: true });
    symlinkSync(work, join(root, 'link-parent', 'out'));
    await expect(store.read('link-parent/out/secret', checksum)).rejects.toThrow(/inside the checkpoint directory/);
  });

  it('refuses job ids that are not ids', async () => {
    await expect(store.write('../x' as JobId, CheckpointIds.parse(1), 'v', 0, new Uint8Array())).rejects.toBeInstanceOf(CorruptCheckpointError);
    await expect(store.deleteCheckpoint('..' as JobId, CheckpointIds.parse(1))).rejects.toBeInstanceOf(CorruptCheckpointError);
  });
});
