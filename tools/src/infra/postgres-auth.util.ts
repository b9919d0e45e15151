// Password authentication of a private Postgres (`npm start -- --secure`): the password file
// initdb reads, and the check that an existing data directory was initialised the way it is
// started now. A data directory initialised with trust is refused for a start with a password
// (its pg_hba.conf lets anyone on 127.0.0.1 in as postgres, whatever password is set), and one
// initialised with a password is refused for a start without one (the services could not log in);
// either message says what to do. Nothing here rewrites an existing data directory.

import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessStartError } from './infra.errors';
import type { UserIdentity } from './postgres-reachability.util';

/** A file with the password for initdb --pwfile, readable by the server's user only; remove() deletes it. */
export function writePasswordFile(password: string, user: UserIdentity | undefined): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'runnel-pwfile-'));
  const path = join(dir, 'pwfile');
  writeFileSync(path, `${password}\n`, { mode: 0o600 });
  // As root, initdb runs as user postgres: the directory and file must be its own.
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(path, user.uid, user.gid);
  }
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** How the data directory's pg_hba.conf lets clients in: `trust` when any rule trusts them. */
export function dataDirAuth(dataDir: string): 'trust' | 'password' | 'unknown' {
  let text: string;
  try {
    text = readFileSync(join(dataDir, 'pg_hba.conf'), 'utf8');
  } catch {
    return 'unknown';
  }
  const rules = text.split('\n').map((line) => line.replace(/#.*/, '').trim()).filter((line) => line !== '');
  if (rules.some((rule) => /\strust$/.test(rule))) return 'trust';
  return rules.some((rule) => /\s(scram-sha-256|md5|password)$/.test(rule)) ? 'password' : 'unknown';
}

export function checkDataDirAuth(dataDir: string, requested: string, withPassword: boolean): void {
  const auth = dataDirAuth(dataDir);
  const where = dataDir === requested ? dataDir : `${dataDir} (for ${requested})`;
  if (withPassword && auth === 'trust') {
    throw new ProcessStartError(
      `cannot start Postgres with a password: its data directory ${where} was initialised without one ` +
        `(trust authentication: anyone on this host may connect as postgres). --secure needs a data directory ` +
        `of its own: pass another --data-dir, or delete ${where} (its jobs and checkpoints metadata are lost)`,
    );
  }
  if (!withPassword && auth === 'password') {
    throw new ProcessStartError(
      `cannot start Postgres without a password: its data directory ${where} was initialised with one ` +
        `(npm start -- --secure). Start the cluster with --secure again, or pass another --data-dir`,
    );
  }
}
