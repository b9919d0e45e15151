/**
 * Part files of the exactly-once JSON Lines sink, for one writing subtask: naming, pre-commit
 * (in-progress → pending), commit (pending → visible) and clean-up. Two layouts:
 *
 * - directory: `<dir>/part-<subtask>-<counter>.jsonl` are the committed files; a commit is a rename.
 * - single file (`…/out.jsonl`, parallelism 1): committed data is appended to the file itself;
 *   a commit copies the pending file to a known offset (truncating first), so repeating a commit
 *   after a crash never duplicates lines.
 *
 * In-progress and pending files are hidden (`.part-…inprogress`, `.part-….cp-<id>.pending`): they
 * never match `*.jsonl`, so readers of the output only ever see committed data.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SinkCommitError } from '../core/dataflow.errors';

export const PartFileLayout = { Directory: 'directory', SingleFile: 'single-file' } as const;
export type PartFileLayout = (typeof PartFileLayout)[keyof typeof PartFileLayout];

/** A closed part file waiting for its checkpoint to complete. */
export interface PendingPartFile {
  readonly checkpointId: number;
  readonly counter: number;
  /** Bytes (the single-file layout needs it to know where the file's data goes). */
  readonly size: number;
}

const COPY_CHUNK = 1 << 20;

const exists = async (file: string): Promise<boolean> =>
  fs.promises.access(file).then(
    () => true,
    () => false,
  );

export class PartFileCommitter {
  /** Directory holding final (directory layout) and hidden files. */
  readonly dir: string;
  private readonly hiddenPrefix: string;
  private readonly finalPattern: RegExp;

  constructor(
    /** The sink's output path, absolute. */
    readonly target: string,
    readonly layout: PartFileLayout,
    readonly subtask: number,
  ) {
    this.dir = layout === PartFileLayout.Directory ? target : path.dirname(target);
    this.hiddenPrefix = layout === PartFileLayout.Directory ? `.part-${subtask}-` : `.${path.basename(target)}.part-${subtask}-`;
    this.finalPattern = new RegExp(`^part-${subtask}-(\\d+)\\.jsonl$`);
  }

  inProgressPath(counter: number): string {
    return path.join(this.dir, `${this.hiddenPrefix}${counter}.inprogress`);
  }
  pendingPath(p: Pick<PendingPartFile, 'counter' | 'checkpointId'>): string {
    return path.join(this.dir, `${this.hiddenPrefix}${p.counter}.cp-${p.checkpointId}.pending`);
  }
  finalPath(counter: number): string {
    return path.join(this.dir, `part-${this.subtask}-${counter}.jsonl`);
  }

  /** Pre-commit: the closed in-progress file becomes the pending file of `checkpointId`. */
  async toPending(counter: number, checkpointId: number): Promise<void> {
    await fs.promises.rename(this.inProgressPath(counter), this.pendingPath({ counter, checkpointId }));
  }

  /**
   * Makes one pending file visible; idempotent (a repeated commit after a crash is a no-op).
   * `start` (single file) is the target's length before this file's data.
   */
  async commit(p: PendingPartFile, start: number): Promise<void> {
    const pending = this.pendingPath(p);
    const present = await exists(pending);
    if (this.layout === PartFileLayout.Directory) {
      const final = this.finalPath(p.counter);
      if (present) {
        try {
          return await fs.promises.rename(pending, final);
        } catch (error) {
          // Someone else committed it meanwhile (a cancelled attempt's late notification): fine.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
      if (await exists(final)) return;
      throw new SinkCommitError('JsonLinesFileSink', `neither ${pending} nor ${final} exists`);
    }
    if (!present) {
      const size = await fs.promises.stat(this.target).then((s) => s.size, () => -1);
      if (size >= start + p.size) return; // committed before the crash
      throw new SinkCommitError('JsonLinesFileSink', `${pending} is missing and ${this.target} is shorter than its committed length`);
    }
    await this.appendAt(pending, start);
    await fs.promises.unlink(pending);
  }

  /** Copies `from` into the single target file at `start` (data after `start` is discarded first). */
  private async appendAt(from: string, start: number): Promise<void> {
    const out = await fs.promises.open(this.target, 'r+');
    try {
      await out.truncate(start);
      const src = await fs.promises.open(from, 'r');
      try {
        const buf = Buffer.allocUnsafe(COPY_CHUNK);
        let pos = start;
        for (;;) {
          const { bytesRead } = await src.read(buf, 0, COPY_CHUNK, null);
          if (bytesRead === 0) break;
          await out.write(buf, 0, bytesRead, pos);
          pos += bytesRead;
        }
      } finally {
        await src.close();
      }
      await out.sync();
    } finally {
      await out.close();
    }
  }

  /** Single file: creates it if needed and cuts it to `length` (committed data only). */
  async truncateTarget(length: number): Promise<void> {
    const fh = await fs.promises.open(this.target, 'a');
    try {
      await fh.truncate(length);
    } finally {
      await fh.close();
    }
  }

  /** Deletes this subtask's in-progress and pending files (left by a failed attempt). */
  async deleteHidden(): Promise<void> {
    const names = await fs.promises.readdir(this.dir).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.startsWith(this.hiddenPrefix)).map((n) => fs.promises.rm(path.join(this.dir, n), { force: true })));
  }

  /**
   * Directory layout, on restore: deletes committed files numbered `from` or higher — output of
   * checkpoints after the restored one (counters only grow), which the sources replay. The
   * directory analogue of cutting the single file to its committed length.
   */
  async deleteCommittedFrom(from: number): Promise<void> {
    if (this.layout !== PartFileLayout.Directory) return;
    const names = await fs.promises.readdir(this.dir).catch(() => [] as string[]);
    const stale = names.filter((n) => {
      const m = this.finalPattern.exec(n);
      return m !== null && Number(m[1]) >= from;
    });
    await Promise.all(stale.map((n) => fs.promises.rm(path.join(this.dir, n), { force: true })));
  }

  /** Highest counter of this subtask's committed files (directory layout), -1 if none. */
  async maxCommittedCounter(): Promise<number> {
    if (this.layout !== PartFileLayout.Directory) return -1;
    const names = await fs.promises.readdir(this.dir).catch(() => [] as string[]);
    let max = -1;
    for (const n of names) {
      const m = this.finalPattern.exec(n);
      if (m) max = Math.max(max, Number(m[1]));
    }
    return max;
  }
}
