import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotFoundError, ValidationError } from '@runnel/protocol';
import { LogFiles, logNameOf } from './log-files';

describe('LogFiles', () => {
  let dir: string;
  let outside: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runnel-logs-'));
    outside = mkdtempSync(join(tmpdir(), 'runnel-outside-'));
    writeFileSync(join(dir, 'taskmanager-a.log'), 'line one\nline two\n');
    writeFileSync(join(dir, 'taskmanager-a.out'), 'printed\n');
    writeFileSync(join(dir, 'taskmanager-a.log.1'), 'older\n');
    writeFileSync(join(dir, 'jobmanager.log'), 'not mine\n');
    writeFileSync(join(outside, 'secret'), 'secret\n');
    symlinkSync(join(outside, 'secret'), join(dir, 'taskmanager-a.log.2'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it("lists and reads only the service's own files", async () => {
    const logs = new LogFiles(dir, logNameOf({}, { service: 'taskmanager', id: 'a' }));
    expect((await logs.list()).logs.map((l) => l.name)).toEqual(['taskmanager-a.log', 'taskmanager-a.log.1', 'taskmanager-a.out']);
    const chunk = await logs.read('taskmanager-a.log', 5, 3);
    expect({ ...chunk, data: Buffer.from(chunk.data, 'base64').toString() }).toEqual({ name: 'taskmanager-a.log', size: 18, offset: 5, data: 'one' });
    expect(Buffer.from((await logs.read('taskmanager-a.out')).data, 'base64').toString()).toBe('printed\n');
  });

  it('refuses names with a directory part (400) and files that are not its own or are symlinks (404)', async () => {
    const logs = new LogFiles(dir, 'taskmanager-a');
    await expect(logs.read('../outside/secret')).rejects.toBeInstanceOf(ValidationError);
    await expect(logs.read('.hidden')).rejects.toBeInstanceOf(ValidationError);
    await expect(logs.read('jobmanager.log')).rejects.toBeInstanceOf(NotFoundError);
    await expect(logs.read('taskmanager-a.log.2')).rejects.toBeInstanceOf(NotFoundError);
    await expect(logs.read('taskmanager-a.logx')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('has no files without LOG_DIR, and says so', async () => {
    const logs = new LogFiles(undefined, 'jobmanager');
    expect(await logs.list()).toEqual({ logs: [], note: expect.stringContaining('LOG_DIR') });
    await expect(logs.read('jobmanager.log')).rejects.toBeInstanceOf(NotFoundError);
  });
});
