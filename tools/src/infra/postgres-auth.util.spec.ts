import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDataDirAuth, dataDirAuth } from './postgres-auth.util';

describe('a private Postgres data directory and passwords', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pg-auth-spec-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const hba = (rules: string) => writeFileSync(join(dir, 'pg_hba.conf'), `# TYPE DATABASE USER ADDRESS METHOD\n# host all all 0.0.0.0/0 trust\n${rules}\n`);

  it('tells trust from password authentication', () => {
    hba('local all all trust\nhost all all 127.0.0.1/32 trust');
    expect(dataDirAuth(dir)).toBe('trust');
    hba('local all all scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256');
    expect(dataDirAuth(dir)).toBe('password');
    rmSync(join(dir, 'pg_hba.conf'));
    expect(dataDirAuth(dir)).toBe('unknown');
  });

  it('refuses a trust data directory for a start with a password, and the reverse, saying what to do', () => {
    hba('host all all 127.0.0.1/32 trust');
    expect(() => checkDataDirAuth(dir, dir, true)).toThrow(/initialised without one .*pass another --data-dir/);
    expect(() => checkDataDirAuth(dir, dir, false)).not.toThrow();
    hba('host all all 127.0.0.1/32 scram-sha-256');
    expect(() => checkDataDirAuth(dir, dir, false)).toThrow(/initialised with one \(npm start -- --secure\)/);
    expect(() => checkDataDirAuth(dir, dir, true)).not.toThrow();
  });
});
