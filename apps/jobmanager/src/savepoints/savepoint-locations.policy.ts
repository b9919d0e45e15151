/**
 * Where savepoints may be written to and read from: the directories of SAVEPOINT_DIRS (a
 * `:`-separated list, like PATH). A target directory or a savepoint path outside them — after
 * symlinks are resolved — is refused with VALIDATION_FAILED naming the allowed roots. Savepoint
 * ids (`savepoint://<job>/<n>`) are not paths and are not checked here.
 */
import { ConfinedRoots } from '@runnel/protocol';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SAVEPOINT_LOCATIONS = Symbol('SAVEPOINT_LOCATIONS');

/** The JobManager has no data directory of its own: savepoints default to one in the system temp dir. */
export function defaultSavepointDirs(): string {
  return join(tmpdir(), 'runnel-savepoints');
}

export class SavepointLocations {
  private readonly confined: ConfinedRoots;

  constructor(list: string) {
    this.confined = ConfinedRoots.fromList(list, 'SAVEPOINT_DIRS');
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
