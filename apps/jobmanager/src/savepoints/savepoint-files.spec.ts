import { CheckpointIds, DirectoryCheckpointStore, JobIds, ValidationError, CorruptCheckpointError } from '@runnel/protocol';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointRecord } from '../checkpoints/checkpoint.repository';
import { readSavepointDirectory, writeSavepointDirectory } from './savepoint-files';
import { SavepointLocations } from './savepoint-locations.policy';

describe('savepoint directories', () => {
  const work = realpathSync(mkdtempSync(join(tmpdir(), 'runnel-sp-files-')));
  const root = join(work, 'savepoints');
  const outside = join(work, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret'), 'secret');
  symlinkSync(outside, join(root, 'escape'));
  const store = new DirectoryCheckpointStore(join(work, 'checkpoints'));
  const locations = new SavepointLocations(`/nonexistent-root:${root}`);
  const jobId = JobIds.parse('a'.repeat(32));
  let record: CheckpointRecord;
  let location: string;
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    // An operator uid that would be a path if used raw.
    const hostile = await store.write(jobId, CheckpointIds.parse(3), '../../uid', 0, new TextEncoder().encode('state A'));
    const plain = await store.write(jobId, CheckpointIds.parse(3), 'sum', 1, new TextEncoder().encode('state B'));
    record = {
      jobId, checkpointId: CheckpointIds.parse(3), attempt: 0, status: 'COMPLETED', isSavepoint: true, triggerTimestamp: 1, completedTimestamp: 2, stateSize: 14,
      handles: [
        { vertexId: '../../uid', subtaskIndex: 0, ...hostile },
        { vertexId: 'sum', subtaskIndex: 1, ...plain },
      ],
      parallelism: { '../../uid': 1, sum: 2 },
      operators: { '../../uid': ['../../uid'], sum: ['sum'] },
      failureReason: null,
      externalPath: null,
    };
    location = await writeSavepointDirectory(store, record, locations.targetDirectory(join(root, 'sp')));
  });

  it('writes inside the target directory, with encoded file names, and reads it back', async () => {
    expect(location.startsWith(join(root, 'sp'))).toBe(true);
    expect(readdirSync(location).sort()).toEqual(['_metadata.json', 'state-sum-1-1.bin', 'state-~2E~2E~2F~2E~2E~2Fuid-0-0.bin']);
    const loaded = await readSavepointDirectory(store, locations.savepointDirectory(location));
    expect(loaded.handles.map((h) => h.vertexId)).toEqual(['../../uid', 'sum']);
    expect(loaded.operators).toEqual(record.operators);
    expect(existsSync(join(work, 'uid'))).toBe(false);
  });

  it('creates the bucket of the job that wrote the savepoint before writing its state back (it may be gone)', async () => {
    const calls: string[] = [];
    const recording = Object.assign(Object.create(store) as DirectoryCheckpointStore, {
      createJobBucket: async (j: string) => void calls.push(`create ${j}`),
      write: (...args: Parameters<DirectoryCheckpointStore['write']>) => (calls.push('write'), store.write(...args)),
    });
    await readSavepointDirectory(recording, locations.savepointDirectory(location));
    expect(calls).toEqual([`create ${jobId}`, 'write', 'write']);
  });

  it('confines target directories and savepoint paths to SAVEPOINT_DIRS', () => {
    for (const bad of ['/etc', `${root}/../outside`, join(root, 'escape'), join(root, 'escape', 'sp'), `${root}x`, 'relative', '']) {
      expect(() => locations.targetDirectory(bad)).toThrow(ValidationError);
      expect(() => locations.savepointDirectory(bad)).toThrow(/SAVEPOINT_DIRS/);
    }
  });

  const tampered = (name: string, edit: (m: Record<string, any>) => void): string => {
    const dir = join(root, name);
    cpSync(location, dir, { recursive: true });
    const metadata = JSON.parse(readFileSync(join(dir, '_metadata.json'), 'utf8'));
    edit(metadata);
    writeFileSync(join(dir, '_metadata.json'), JSON.stringify(metadata));
    return dir;
  };

  it.each<[string, (m: Record<string, any>) => void, RegExp]>([
    ['traversal in a state file', (m) => (m.files[Object.keys(m.files)[0]] = '../../outside/secret'), /segments/],
    ['an absolute state file', (m) => (m.files[Object.keys(m.files)[0]] = join(outside, 'secret')), /relative path/],
    ['a missing state file entry', (m) => (m.files = {}), /files\./],
    ['a subtask out of range', (m) => (m.record.handles[1].subtaskIndex = 2), /below the vertex's parallelism 2/],
    ['an unknown vertex', (m) => (m.record.handles[1].vertexId = 'other'), /not a vertex/],
    ['a bad job id', (m) => (m.record.jobId = '../x'), /jobId/],
    ['a long operator uid', (m) => (m.record.operators.sum = ['u'.repeat(300)]), /operator uids/],
    ['an unknown field', (m) => (m.record.extra = 1), /extra/],
    ['another format', (m) => (m.format = 'flink-1'), /format/],
    ['a handle that is a path out', (m) => (m.record.handles[1].handle = '../../x'), /handle/],
    ['a duplicate subtask', (m) => (m.record.handles[0] = { ...m.record.handles[1] }), /listed twice/],
  ])('refuses metadata with %s before reading state', async (name, edit, reason) => {
    const dir = tampered(name.replace(/ /g, '-'), edit);
    const error = await readSavepointDirectory(store, dir).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(reason);
  });

  it('refuses a state file that is a symlink out of the directory, and one of another size', async () => {
    const linked = tampered('symlinked', () => undefined);
    rmSync(join(linked, 'state-sum-1-1.bin'));
    symlinkSync(join(outside, 'secret'), join(linked, 'state-sum-1-1.bin'));
    await expect(readSavepointDirectory(store, linked)).rejects.toThrow(/inside the savepoint directory/);
    const resized = tampered('resized', () => undefined);
    writeFileSync(join(resized, 'state-sum-1-1.bin'), 'longer state');
    await expect(readSavepointDirectory(store, resized)).rejects.toBeInstanceOf(CorruptCheckpointError);
    const metadataLink = join(root, 'metadata-link');
    mkdirSync(metadataLink);
    symlinkSync(join(outside, 'secret'), join(metadataLink, '_metadata.json'));
    await expect(readSavepointDirectory(store, metadataLink)).rejects.toThrow(/outside the directory/);
  });
});
