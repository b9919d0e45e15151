import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirInUseError } from './infra.errors';
import { PidFile } from './pid-file.util';
import { isProcessAlive, processStartTime } from './proc.util';
import { waitFor } from './wait-for.util';

describe('PidFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'runnel-pidfile-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records children and removes the file on release', async () => {
    const path = join(dir, 'cluster.pid.json');
    const { pidFile, cleaned } = await PidFile.claim(path);
    expect(cleaned).toEqual([]);
    pidFile.add('self', process.pid);
    expect(JSON.parse(readFileSync(path, 'utf8')).children).toHaveLength(1);
    pidFile.release();
    expect(() => readFileSync(path)).toThrow();
  });

  it('refuses a data directory whose owner still runs', async () => {
    const path = join(dir, 'cluster.pid.json');
    const owner = { pid: process.ppid, startTime: processStartTime(process.ppid) };
    writeFileSync(path, JSON.stringify({ owner, children: [] }));
    await expect(PidFile.claim(path)).rejects.toBeInstanceOf(DataDirInUseError);
  });

  it('stops processes left behind by a dead owner, and only those', async () => {
    const path = join(dir, 'cluster.pid.json');
    const orphan = spawn('sleep', ['60'], { stdio: 'ignore' });
    const pid = orphan.pid as number;
    const child = { name: 'sleep', pid, startTime: processStartTime(pid), stopSignal: 'SIGTERM' };
    const reused = { name: 'reused', pid: process.pid, startTime: 'not-its-start-time', stopSignal: 'SIGTERM' };
    writeFileSync(path, JSON.stringify({ owner: { pid: 999_999_999, startTime: '1' }, children: [child, reused] }));
    const { cleaned, pidFile } = await PidFile.claim(path);
    expect(cleaned).toEqual([`sleep (pid ${pid})`]);
    await waitFor(() => !isProcessAlive(pid), { description: 'the orphan to exit', timeoutMs: 5_000 });
    pidFile.release();
  });
});
