/**
 * Where savepoints may be written to and read from: the directories of SAVEPOINT_DIRS (a
 * `:`-separated list, like PATH). A target directory or a savepoint path outside them — after
 * symlinks are resolved — is refused with VALIDATION_FAILED naming the allowed roots. Savepoint
 * ids (`savepoint://<job>/<n>`) are not paths and are not checked here. A retained checkpoint's
 * directory (`<CHECKPOINT_DIR>/<job>/chk-<n>`) may be read too, confined to CHECKPOINT_DIR.
 */
import { CheckpointId, CheckpointIds, ConfinedRoots, JobId, JobIds } from '@runnel/protocol';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';

export const SAVEPOINT_LOCATIONS = Symbol('SAVEPOINT_LOCATIONS');

/** The JobManager has no data directory of its own: savepoints default to one in the system temp dir. */
export function defaultSavepointDirs(): string {
  return join(tmpdir(), 'runnel-savepoints');
}

export class SavepointLocations {
  private readonly confined: ConfinedRoots;

  private readonly checkpoints?: ConfinedRoots;

  constructor(list: string, checkpointDir?: string) {
    this.confined = ConfinedRoots.fromList(list, 'SAVEPOINT_DIRS');
    if (checkpointDir) this.checkpoints = new ConfinedRoots([checkpointDir], 'CHECKPOINT_DIR');
  }

  /**
   * The checkpoint a path names when it is a checkpoint directory inside CHECKPOINT_DIR
   * (`<job id>/chk-<n>`, after symlinks are resolved); undefined for any other path.
   */
  checkpointDirectory(path: unknown): { jobId: JobId; checkpointId: CheckpointId } | undefined {
    if (!this.checkpoints) return undefined;
    let real: string;
    try {
      real = this.checkpoints.confine(path, 'savepointPath');
    } catch {
      return undefined;
    }
    for (const root of this.checkpoints.roots) {
      let realRoot: string;
      try {
        realRoot = realpathSync(root);
      } catch {
        continue;
      }
      const parts = relative(realRoot, real).split(sep);
      const id = /^chk-([1-9]\d{0,15})$/.exec(parts[1] ?? '');
      if (parts.length === 2 && JobIds.isValid(parts[0]) && id) return { jobId: parts[0], checkpointId: CheckpointIds.parse(Number(id[1])) };
    }
    return undefined;
  }

  get roots(): readonly string[] {
    return this.confined.roots;
  }

  /** The real path of a directory to write a savepoint into (POST /jobs/:id/savepoints, /stop). */
  targetDirectory(path: unknown, field = 'targetDirectory'): string {
    return this.confined.confine(path, field);
  }

  /** The real path of a savepoint directory to read (run with savepointPath, /savepoints/dry-run). */
  savepointDirectory(path: unknown, field = 'savepointPath'): string {
    return this.confined.confine(path, field);
  }
}
