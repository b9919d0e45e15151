import { CheckpointIds, JobIds, ValidationError } from '@runnel/protocol';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckpointRecord, CheckpointRepository } from '../checkpoints/checkpoint.repository';
import { SavepointDisposalService } from './savepoint-disposal.service';
import { SavepointLocations } from './savepoint-locations.policy';

const JOB = JobIds.parse('c'.repeat(32));

describe('SavepointDisposalService', () => {
  let root: string;
  let record: CheckpointRecord;
  const deleted: string[] = [];
  const statuses: string[] = [];
  /** Jobs whose checkpoint bucket the service asked to delete (if empty), and the jobs running here. */
  const bucketsReleased: string[] = [];
  const active = new Set<string>();
  let service: SavepointDisposalService;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'runnel-dispose-'));
    deleted.length = 0;
    bucketsReleased.length = 0;
    active.clear();
    statuses.length = 0;
    record = {
      jobId: JOB, checkpointId: CheckpointIds.parse(3), attempt: 0, status: 'COMPLETED', isSavepoint: true, triggerTimestamp: 1, completedTimestamp: 2, stateSize: 1,
      handles: [], parallelism: {}, operators: {}, failureReason: null, externalPath: null,
    };
    const repository = {
      find: async (jobId: string, id: number) => (jobId === JOB && id === record.checkpointId ? record : undefined),
      markStatus: async (_j: string, id: number, status: string) => void statuses.push(`${id}:${status}`),
    } as unknown as CheckpointRepository;
    const store = {
      deleteCheckpoint: async (j: string, id: number) => void deleted.push(`${j}/${id}`),
      deleteJobBucketIfEmpty: async (j: string) => (bucketsReleased.push(j), true),
    };
    service = new SavepointDisposalService(repository, store, new SavepointLocations(root), { isActive: (j) => active.has(j) });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const finished = async (triggerId: string) => {
    for (let i = 0; i < 200; i++) {
      const s = service.status(triggerId);
      if (s.status.id === 'COMPLETED') return s;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('disposal did not finish');
  };

  it('deletes a savepoint directory and the state of the savepoint written there', async () => {
    const dir = join(root, 'savepoint-cccccc-3');
    mkdirSync(dir);
    record = { ...record, externalPath: dir };
    writeFileSync(join(dir, '_metadata.json'), JSON.stringify({ record: { jobId: JOB, checkpointId: 3 } }));
    writeFileSync(join(dir, 'state-x-0-0.bin'), 'x');
    expect((await finished(service.dispose(dir))).operation).toEqual({});
    expect(existsSync(dir)).toBe(false);
    expect(deleted).toEqual([`${JOB}/3`]);
    expect(statuses).toEqual(['3:DISPOSED']);
  });

  it('disposes a savepoint by id: its state, its directory, its record', async () => {
    const dir = join(root, 'copy');
    mkdirSync(dir);
    writeFileSync(join(dir, '_metadata.json'), '{}');
    record = { ...record, externalPath: dir };
    expect((await finished(service.dispose(`savepoint://${JOB}/3`))).operation).toEqual({});
    expect(deleted).toEqual([`${JOB}/3`]);
    expect(existsSync(dir)).toBe(false);
    expect(statuses).toEqual(['3:DISPOSED']);
    // The job does not run here: its bucket goes if this was the last of its state.
    expect(bucketsReleased).toEqual([JOB]);
  });

  it('keeps the checkpoint bucket of a job that runs here, whatever the disposal left in it', async () => {
    active.add(JOB);
    expect((await finished(service.dispose(`savepoint://${JOB}/3`))).operation).toEqual({});
    expect(deleted).toEqual([`${JOB}/3`]);
    expect(bucketsReleased).toEqual([]);
  });

  it('refuses paths outside SAVEPOINT_DIRS, the root itself and bad ids at once, and fails on what is no savepoint', async () => {
    const other = mkdtempSync(join(tmpdir(), 'runnel-other-'));
    try {
      writeFileSync(join(other, '_metadata.json'), '{}');
      expect(() => service.dispose(other)).toThrow(ValidationError);
      expect(() => service.dispose(root)).toThrow(ValidationError);
      expect(() => service.dispose('savepoint://nope/1')).toThrow(ValidationError);
      expect(existsSync(other)).toBe(true);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    const plain = join(root, 'plain');
    mkdirSync(plain);
    expect((await finished(service.dispose(plain))).operation).toMatchObject({ 'failure-cause': { 'stack-trace': expect.stringContaining('not a savepoint directory') } });
    expect(existsSync(plain)).toBe(true);
    record = { ...record, isSavepoint: false };
    expect((await finished(service.dispose(`savepoint://${JOB}/3`))).operation).toMatchObject({ 'failure-cause': {} });
    expect(deleted).toEqual([]);
  });
});
