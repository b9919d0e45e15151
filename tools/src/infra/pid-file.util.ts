// A pid file under a data directory recording which processes a cluster started. It makes two
// things possible: refusing to start a second cluster on the same data directory, and cleaning up
// after a cluster that was SIGKILLed on a machine where children cannot be told their parent died.
// Processes are identified by pid *and* kernel start time, so a reused pid is never signalled.

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataDirInUseError } from './infra.errors';
import { isProcessAlive, processStartTime } from './proc.util';
import { waitFor } from './wait-for.util';

interface RecordedProcess {
  readonly name: string;
  readonly pid: number;
  readonly startTime: string;
  readonly stopSignal: NodeJS.Signals;
}

interface PidFileContent {
  readonly owner: { readonly pid: number; readonly startTime: string };
  readonly children: RecordedProcess[];
}

function sameProcess(p: { pid: number; startTime: string }): boolean {
  return isProcessAlive(p.pid) && processStartTime(p.pid) === p.startTime;
}

export class PidFile {
  private readonly children = new Map<number, RecordedProcess>();

  private constructor(private readonly path: string) {}

  /**
   * Takes ownership of `path`. When a living process owns it, throws DataDirInUseError; when the
   * owner is gone, first stops the processes it left behind (returns their names in `cleaned`).
   */
  static async claim(path: string): Promise<{ pidFile: PidFile; cleaned: string[] }> {
    const cleaned: string[] = [];
    if (existsSync(path)) {
      let previous: PidFileContent | undefined;
      try {
        previous = JSON.parse(readFileSync(path, 'utf8')) as PidFileContent;
      } catch {
        previous = undefined; // unreadable: nothing we can safely clean
      }
      if (previous && previous.owner.pid !== process.pid && sameProcess(previous.owner)) {
        throw new DataDirInUseError(
          `another local cluster (pid ${previous.owner.pid}) is using ${dirname(path)}; stop it or pass another --data-dir`,
        );
      }
      for (const child of previous?.children ?? []) {
        if (!sameProcess(child)) continue;
        cleaned.push(`${child.name} (pid ${child.pid})`);
        await stopLeftover(child);
      }
    }
    const pidFile = new PidFile(path);
    pidFile.write();
    return { pidFile, cleaned };
  }

  add(name: string, pid: number, stopSignal: NodeJS.Signals = 'SIGTERM'): void {
    const startTime = processStartTime(pid);
    if (startTime === undefined) return; // already gone
    this.children.set(pid, { name, pid, startTime, stopSignal });
    this.write();
  }

  remove(pid: number): void {
    if (this.children.delete(pid)) this.write();
  }

  /** Deletes the file: everything it recorded has been stopped. */
  release(): void {
    rmSync(this.path, { force: true });
  }

  private write(): void {
    const content: PidFileContent = {
      owner: { pid: process.pid, startTime: processStartTime(process.pid) ?? '' },
      children: [...this.children.values()],
    };
    mkdirSync(dirname(this.path), { recursive: true });
    // Write-then-rename, so a crash never leaves a half-written file behind.
    writeFileSync(`${this.path}.tmp`, JSON.stringify(content, null, 2));
    renameSync(`${this.path}.tmp`, this.path);
  }
}

async function stopLeftover(child: RecordedProcess): Promise<void> {
  try {
    process.kill(child.pid, child.stopSignal);
    await waitFor(() => !sameProcess(child), {
      description: `left-over ${child.name} (pid ${child.pid}) to exit`,
      timeoutMs: 10_000,
    });
  } catch {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
