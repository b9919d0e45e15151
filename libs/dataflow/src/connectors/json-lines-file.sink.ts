/**
 * Exactly-once JSON Lines file sink (two-phase commit, like Flink's FileSink).
 *
 * Each subtask appends records to a hidden in-progress part file. On a checkpoint barrier
 * (prepareCommit) that file is synced, closed and renamed to a hidden *pending* file named after
 * the checkpoint; when the checkpoint completes (notifyCheckpointComplete(n)) every pending file
 * up to n becomes visible: renamed to `part-<subtask>-<counter>.jsonl` in the output directory, or
 * — for a path ending in ".jsonl" at parallelism 1 — appended to that single file. At the end of
 * a bounded input everything is committed.
 *
 * The snapshot holds the pending files, the part counter and (single file) the committed length.
 * Restoring checkpoint n commits what n covered (idempotently: a commit repeated after a crash is
 * a no-op) and deletes the in-progress and pending files written after n by the failed attempt,
 * so the output holds every record exactly once. Committed output of later checkpoints (when an
 * older checkpoint is restored) is removed too: part files numbered from the state's counter on,
 * or the single file's bytes past its committed length. On a scale-in, a surviving subtask adopts
 * the state of old subtasks that no longer exist and commits/cleans up their files too. A job
 * resumed (from a savepoint) with another output path writes only there: the path its state
 * names belongs to the job the savepoint came from, which may still be running and committing,
 * and which committed that savepoint's files itself when the savepoint completed.
 *
 * Without checkpointing, data becomes visible only at the end of a bounded input (as Flink's
 * FileSink, an unbounded job needs checkpoints to commit).
 */
import * as path from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import * as fs from 'node:fs';
import { SinkStateError } from '../core/dataflow.errors';
import { PartFileCommitter, PartFileLayout, type PendingPartFile } from './part-file.committer';
import type { Sink, SinkWriter, SinkWriterContext } from './source.types';

/** The operator state of one writer (plain JSON). */
export interface JsonLinesFileSinkState {
  readonly version: 1;
  /** The subtask that wrote these files (file names carry it). */
  readonly subtask: number;
  /** Absolute output path the files were written to (a resumed job may write elsewhere). */
  readonly target: string;
  readonly layout: PartFileLayout;
  readonly nextCounter: number;
  /** Pre-committed files not yet known to be committed, oldest first. */
  readonly pending: PendingPartFile[];
  /** Single file: the file's length once every pending file is committed. */
  readonly committedLength: number;
}

/** Checkpoint id used for the files closed at the end of input (committed at once). */
const END_OF_INPUT = Number.MAX_SAFE_INTEGER;

class JsonLinesPartWriter<T> implements SinkWriter<T> {
  private readonly committer: PartFileCommitter;
  private nextCounter = 0;
  private current?: { fh: FileHandle; counter: number; size: number };
  private pending: PendingPartFile[] = [];
  /** Single file: bytes committed so far. */
  private committedLength = 0;
  private restoredOwn = false;
  private started?: Promise<void>;
  /** Commits run one after another (notifications may overlap with each other and with writes). */
  private commits: Promise<void> = Promise.resolve();

  constructor(
    target: string,
    private readonly layout: PartFileLayout,
    private readonly ctx: SinkWriterContext,
  ) {
    this.committer = new PartFileCommitter(target, layout, ctx.subtaskIndex);
  }

  async restoreState(raw: unknown): Promise<void> {
    const state = raw as JsonLinesFileSinkState | undefined;
    if (!state || state.version !== 1 || !Array.isArray(state.pending) || typeof state.target !== 'string')
      throw new SinkStateError('JsonLinesFileSink', 'not a JsonLinesFileSink state');
    const sameTarget = state.target === this.committer.target;
    // Another job's output (a savepoint restored into a job told to write elsewhere): not ours to touch.
    if (!sameTarget) return;
    if (state.layout !== this.layout)
      throw new SinkStateError(
        'JsonLinesFileSink',
        `the checkpoint was written as a ${state.layout} sink but it now runs as a ${this.layout} sink (a ".jsonl" path is a single file only at parallelism 1)`,
      );
    const own = state.subtask === this.ctx.subtaskIndex;
    const committer = own ? this.committer : new PartFileCommitter(state.target, state.layout, state.subtask);
    // The restored checkpoint completed, so everything it pre-committed is committed now.
    let start = state.committedLength - state.pending.reduce((n, p) => n + p.size, 0);
    for (const p of state.pending) {
      await committer.commit(p, start);
      start += p.size;
    }
    // Output committed after the checkpoint (restoring an older one) will be replayed: remove it.
    if (state.layout === PartFileLayout.SingleFile) await committer.truncateTarget(state.committedLength);
    else await committer.deleteCommittedFrom(state.nextCounter);
    // Whatever is still hidden was written after the checkpoint by the failed attempt.
    await committer.deleteHidden();
    if (own) {
      this.restoredOwn = true;
      this.nextCounter = Math.max(this.nextCounter, state.nextCounter);
      this.committedLength = state.committedLength;
    }
  }

  private start(): Promise<void> {
    return (this.started ??= (async () => {
      await fs.promises.mkdir(this.committer.dir, { recursive: true });
      if (!this.restoredOwn) {
        // A fresh start: hidden files of this subtask are leftovers of an earlier run.
        await this.committer.deleteHidden();
        if (this.layout === PartFileLayout.SingleFile) await this.committer.truncateTarget(0);
      }
      // Never reuse a committed file name (e.g. after a scale-out, or a second run into the same directory).
      this.nextCounter = Math.max(this.nextCounter, (await this.committer.maxCommittedCounter()) + 1);
    })());
  }

  async write(values: readonly T[]): Promise<void> {
    if (values.length === 0) return;
    await this.start();
    let text = '';
    for (let i = 0; i < values.length; i++) text += JSON.stringify(values[i]) + '\n';
    if (!this.current) {
      const counter = this.nextCounter++;
      this.current = { fh: await fs.promises.open(this.committer.inProgressPath(counter), 'w'), counter, size: 0 };
    }
    const { bytesWritten } = await this.current.fh.write(text);
    this.current.size += bytesWritten;
  }

  /** Pre-commit: the in-progress file (if any) becomes the pending file of `checkpointId`. */
  async prepareCommit(checkpointId: number): Promise<void> {
    await this.start();
    const cur = this.current;
    if (!cur) return;
    this.current = undefined;
    await cur.fh.sync();
    await cur.fh.close();
    await this.committer.toPending(cur.counter, checkpointId);
    this.pending.push({ checkpointId, counter: cur.counter, size: cur.size });
  }

  snapshotState(): JsonLinesFileSinkState {
    const pending = this.pending.slice();
    let committedLength = this.committedLength;
    for (const p of pending) committedLength += p.size;
    return { version: 1, subtask: this.ctx.subtaskIndex, target: this.committer.target, layout: this.layout, nextCounter: this.nextCounter, pending, committedLength };
  }

  notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const run = this.commits.then(() => this.commitUpTo(checkpointId));
    this.commits = run.catch(() => undefined);
    return run;
  }

  private async commitUpTo(checkpointId: number): Promise<void> {
    while (this.pending.length > 0 && this.pending[0].checkpointId <= checkpointId) {
      const p = this.pending[0];
      await this.committer.commit(p, this.committedLength);
      // Both in one synchronous step: a snapshot taken meanwhile stays consistent.
      this.committedLength += p.size;
      this.pending.shift();
    }
  }

  async finish(): Promise<void> {
    await this.prepareCommit(END_OF_INPUT);
    await this.notifyCheckpointComplete(END_OF_INPUT);
  }

  /** Cancel or failure: leave hidden files for the restore to clean up; never commit here. */
  async close(): Promise<void> {
    await this.commits;
    const cur = this.current;
    this.current = undefined;
    await cur?.fh.close().catch(() => undefined);
  }
}

export class JsonLinesFileSink<T> implements Sink<T> {
  constructor(readonly outputPath: string) {}

  /** A path ending in ".jsonl" is one file at parallelism 1; otherwise a directory of part files. */
  layoutFor(parallelism: number): PartFileLayout {
    return parallelism === 1 && this.outputPath.endsWith('.jsonl') ? PartFileLayout.SingleFile : PartFileLayout.Directory;
  }

  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    return new JsonLinesPartWriter<T>(path.resolve(this.outputPath), this.layoutFor(ctx.parallelism), ctx);
  }

  describe(): Record<string, unknown> {
    return { type: 'json-lines-file', path: this.outputPath };
  }
}
