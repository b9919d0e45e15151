/**
 * Savepoints as a directory: `_metadata.json` plus one file per task state, self-contained, so a
 * savepoint can be copied, archived and restored on another cluster. Loading one puts its state
 * back into the checkpoint store, checking every file against its recorded checksum.
 */
import { StateStore, CorruptCheckpointError, ValidationError, sha256Hex } from '@runnel/protocol';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointRecord } from '../checkpoints/checkpoint.repository';

interface SavepointMetadata {
  readonly format: 'runnel-savepoint-1';
  readonly record: CheckpointRecord;
  /** State file of each handle. */
  readonly files: Record<string, string>;
}

export async function writeSavepointDirectory(store: StateStore, record: CheckpointRecord, directory: string): Promise<string> {
  const target = join(directory, `savepoint-${record.jobId.slice(0, 6)}-${record.checkpointId}`);
  await mkdir(target, { recursive: true });
  const files: Record<string, string> = {};
  for (const [i, h] of record.handles.entries()) {
    const file = `state-${h.vertexId.replace(/[^A-Za-z0-9_-]/g, '_')}-${h.subtaskIndex}-${i}.bin`;
    await writeFile(join(target, file), await store.read(h.handle, h.checksum));
    files[h.handle] = file;
  }
  const metadata: SavepointMetadata = { format: 'runnel-savepoint-1', record: { ...record, externalPath: target }, files };
  await writeFile(join(target, '_metadata.json'), JSON.stringify(metadata, null, 2));
  return target;
}

export async function readSavepointDirectory(store: StateStore, directory: string): Promise<CheckpointRecord> {
  let metadata: SavepointMetadata;
  try {
    metadata = JSON.parse(await readFile(join(directory, '_metadata.json'), 'utf8')) as SavepointMetadata;
  } catch (error) {
    throw new ValidationError(`No savepoint at ${directory}: ${(error as Error).message}`, [{ field: 'savepointPath', problems: ['must be a savepoint path or directory'] }]);
  }
  const { record, files } = metadata;
  for (const h of record.handles) {
    const bytes = await readFile(join(directory, files[h.handle]));
    if (sha256Hex(bytes) !== h.checksum) throw new CorruptCheckpointError(h.handle, `file ${files[h.handle]} does not match its checksum`);
    await store.write(record.jobId, record.checkpointId, h.vertexId, h.subtaskIndex, bytes);
  }
  return record;
}
