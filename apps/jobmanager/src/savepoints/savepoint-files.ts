/**
 * Savepoints as a directory: `_metadata.json` plus one file per task state, self-contained, so a
 * savepoint can be copied, archived and restored on another cluster. Loading one puts its state
 * back into the checkpoint store, checking every file against its recorded checksum. The directory
 * has been confined to SAVEPOINT_DIRS by the caller; the metadata is validated in full (see
 * savepoint-metadata.dto.ts) before any state file is read or anything is written to the store.
 */
import {
  CheckpointFs, StateStore, CorruptCheckpointError, ValidationError, sha256Hex, confinedJoin, durableMkdir, durableWriteFile, encodeStateName, nodeCheckpointFs,
} from '@runnel/protocol';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointRecord } from '../checkpoints/checkpoint.repository';
import { SAVEPOINT_FORMAT, checkSavepointMetadata } from './savepoint-metadata.dto';

/** Largest `_metadata.json` read. */
export const MAX_SAVEPOINT_METADATA_BYTES = 64 * 1024 * 1024;

interface SavepointMetadataFile {
  readonly format: typeof SAVEPOINT_FORMAT;
  readonly record: CheckpointRecord;
  /** State file of each handle. */
  readonly files: Record<string, string>;
}

/**
 * Writes a savepoint into `directory` (a real path inside SAVEPOINT_DIRS); returns the savepoint's
 * directory. Every file is fsynced (with its directory entry) and `_metadata.json` comes last, so
 * a savepoint that was reported complete survives a crash of the machine, and one cut short has no
 * metadata (it is not a savepoint) instead of metadata naming files that are not there.
 */
export async function writeSavepointDirectory(store: StateStore, record: CheckpointRecord, directory: string, fs: CheckpointFs = nodeCheckpointFs): Promise<string> {
  const target = join(directory, `savepoint-${record.jobId.slice(0, 6)}-${record.checkpointId}`);
  await durableMkdir(fs, target);
  const files: Record<string, string> = {};
  for (const [i, h] of record.handles.entries()) {
    // Vertex ids are operator uids, any string: encoded, never raw, in a file name.
    const file = `state-${encodeStateName(h.vertexId)}-${h.subtaskIndex}-${i}.bin`;
    const path = confinedJoin(target, file);
    if (!path) throw new ValidationError(`Savepoint file ${file} would be outside ${target}`, [{ field: 'targetDirectory', problems: ['a savepoint file would be outside it'] }]);
    await durableWriteFile(fs, path, await store.read(h.handle, h.checksum));
    files[h.handle] = file;
  }
  const metadata: SavepointMetadataFile = { format: SAVEPOINT_FORMAT, record: { ...record, externalPath: target }, files };
  const metadataPath = confinedJoin(target, '_metadata.json');
  if (!metadataPath) throw new ValidationError(`Savepoint metadata would be outside ${target}`, [{ field: 'targetDirectory', problems: ['the metadata file would be outside it'] }]);
  await durableWriteFile(fs, metadataPath, JSON.stringify(metadata, null, 2));
  return target;
}

/** Reads the savepoint in `directory` (a real path inside SAVEPOINT_DIRS) into the checkpoint store. */
export async function readSavepointDirectory(store: StateStore, directory: string): Promise<CheckpointRecord> {
  const refuse = (reason: string) =>
    new ValidationError(`No savepoint at ${directory}: ${reason}`, [{ field: 'savepointPath', problems: ['must be a savepoint path or directory', reason] }]);
  const metadataPath = confinedJoin(directory, '_metadata.json');
  if (!metadataPath) throw refuse('its _metadata.json points outside the directory');
  let raw: unknown;
  try {
    const info = await stat(metadataPath);
    if (!info.isFile()) throw new Error('_metadata.json is not a file');
    if (info.size > MAX_SAVEPOINT_METADATA_BYTES) throw new Error(`_metadata.json is larger than ${MAX_SAVEPOINT_METADATA_BYTES} bytes`);
    raw = JSON.parse(await readFile(metadataPath, 'utf8'));
  } catch (error) {
    throw refuse((error as Error).message);
  }
  const { metadata, files } = checkSavepointMetadata(raw, directory);
  // Every file is checked (present, its recorded size) before a byte of state is read.
  for (const [h, path] of files) {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw refuse(`state file ${metadata.files[h.handle]} is missing`);
    if (info.size !== h.size) throw new CorruptCheckpointError(h.handle, `file ${metadata.files[h.handle]} has ${info.size} bytes, not the recorded ${h.size}`);
  }
  const { record } = metadata;
  const handles: CheckpointRecord['handles'] = [];
  // The state goes back under the job that wrote it (its handles name that job): into that job's
  // bucket, which may be long gone (or never existed on this NATS). Created here, by the
  // JobManager; it goes when the savepoint is disposed (SavepointDisposalService).
  if (files.size > 0) await store.createJobBucket(record.jobId);
  for (const [h, path] of files) {
    const bytes = await readFile(path);
    if (sha256Hex(bytes) !== h.checksum) throw new CorruptCheckpointError(h.handle, `file ${metadata.files[h.handle]} does not match its checksum`);
    const written = await store.write(record.jobId, record.checkpointId, h.vertexId, h.subtaskIndex, bytes);
    // The handle the store gave it, not the one in the metadata (names are encoded).
    handles.push({ vertexId: h.vertexId, subtaskIndex: h.subtaskIndex, handle: written.handle, checksum: written.checksum, size: written.size });
  }
  return {
    jobId: record.jobId,
    checkpointId: record.checkpointId,
    attempt: record.attempt,
    status: 'COMPLETED',
    isSavepoint: record.isSavepoint,
    triggerTimestamp: record.triggerTimestamp,
    completedTimestamp: record.completedTimestamp ?? null,
    stateSize: record.stateSize,
    handles,
    parallelism: { ...record.parallelism },
    operators: Object.fromEntries(Object.entries(record.operators).map(([v, uids]) => [v, [...uids]])),
    failureReason: record.failureReason ?? null,
    externalPath: directory,
  };
}
