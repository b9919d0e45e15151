import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ACCESS_EXECUTE,
  ACCESS_READ,
  findBlockingPath,
  lookupUser,
  permits,
  spawnedIdentity,
  type ModeStat,
  type UserIdentity,
} from './postgres-reachability.util';

const DIR = 0o040000;
const FILE = 0o100000;
const pg: UserIdentity = { name: 'postgres', uid: 101, gid: 104, groups: [104, 103] };

/** A fake file system: path → stat; anything else does not exist. */
function fakeFs(entries: Record<string, ModeStat>): (path: string) => ModeStat {
  return (path) => {
    const st = entries[path];
    if (!st) throw Object.assign(new Error(`ENOENT: no such file or directory, stat '${path}'`), { code: 'ENOENT' });
    return st;
  };
}
const noLinks = (path: string): string => path;
const rootDir = (mode: number): ModeStat => ({ uid: 0, gid: 0, mode: DIR | mode });

describe('permits', () => {
  it('uses the owner bits alone when the user owns the file', () => {
    expect(permits({ uid: 101, gid: 0, mode: DIR | 0o700 }, pg, ACCESS_EXECUTE)).toBe(true);
    // owner without x: other bits do not help, as in the kernel
    expect(permits({ uid: 101, gid: 0, mode: DIR | 0o607 }, pg, ACCESS_EXECUTE)).toBe(false);
  });

  it('uses the group bits for the primary and for supplementary groups', () => {
    expect(permits({ uid: 0, gid: 104, mode: DIR | 0o710 }, pg, ACCESS_EXECUTE)).toBe(true);
    expect(permits({ uid: 0, gid: 103, mode: DIR | 0o710 }, pg, ACCESS_EXECUTE)).toBe(true);
    expect(permits({ uid: 0, gid: 103, mode: DIR | 0o701 }, pg, ACCESS_EXECUTE)).toBe(false);
    expect(permits({ uid: 0, gid: 103, mode: DIR | 0o710 }, spawnedIdentity(pg), ACCESS_EXECUTE)).toBe(false);
  });

  it('uses the other bits for everybody else', () => {
    expect(permits({ uid: 0, gid: 0, mode: DIR | 0o701 }, pg, ACCESS_EXECUTE)).toBe(true);
    expect(permits({ uid: 0, gid: 0, mode: DIR | 0o770 }, pg, ACCESS_EXECUTE)).toBe(false);
    expect(permits({ uid: 0, gid: 0, mode: FILE | 0o755 }, pg, ACCESS_READ | ACCESS_EXECUTE)).toBe(true);
    expect(permits({ uid: 0, gid: 0, mode: FILE | 0o751 }, pg, ACCESS_READ | ACCESS_EXECUTE)).toBe(false);
  });

  it('lets root read anything and execute what anyone may execute', () => {
    const root: UserIdentity = { uid: 0, gid: 0, groups: [0] };
    expect(permits({ uid: 5, gid: 5, mode: FILE | 0o600 }, root, ACCESS_READ)).toBe(true);
    expect(permits({ uid: 5, gid: 5, mode: FILE | 0o600 }, root, ACCESS_EXECUTE)).toBe(false);
    expect(permits({ uid: 5, gid: 5, mode: DIR | 0o700 }, root, ACCESS_EXECUTE)).toBe(true);
  });
});

describe('findBlockingPath', () => {
  it('names the first ancestor the user cannot search', () => {
    const stat = fakeFs({ '/': rootDir(0o755), '/root': rootDir(0o700), '/root/x': rootDir(0o755) });
    const blocked = findBlockingPath('/root/x/.runnel/postgres', pg, 0, stat, noLinks);
    expect(blocked).toMatchObject({ path: '/root', mode: 0o700 });
    expect(blocked?.reason).toContain('user postgres cannot enter /root (mode 0700, owner 0:0)');
  });

  it('accepts a path whose ancestors are all searchable, ignoring the target itself when want is 0', () => {
    const stat = fakeFs({
      '/': rootDir(0o755),
      '/srv': rootDir(0o711),
      '/srv/co': { uid: 0, gid: 104, mode: DIR | 0o750 },
    });
    expect(findBlockingPath('/srv/co/data', pg, 0, stat, noLinks)).toBeUndefined();
  });

  it('checks the permission wanted on the target', () => {
    const stat = fakeFs({
      '/': rootDir(0o755),
      '/opt': rootDir(0o755),
      '/opt/postgres': { uid: 0, gid: 0, mode: FILE | 0o700 },
      '/opt/initdb': { uid: 0, gid: 0, mode: FILE | 0o755 },
    });
    expect(findBlockingPath('/opt/initdb', pg, ACCESS_READ | ACCESS_EXECUTE, stat, noLinks)).toBeUndefined();
    expect(findBlockingPath('/opt/postgres', pg, ACCESS_READ | ACCESS_EXECUTE, stat, noLinks)).toMatchObject({
      path: '/opt/postgres',
      mode: 0o700,
    });
    const missing = findBlockingPath('/opt/missing', pg, ACCESS_READ, stat, noLinks);
    expect(missing?.reason).toContain('cannot stat /opt/missing');
  });

  it('also checks where a symlink leads', () => {
    const stat = fakeFs({
      '/': rootDir(0o755),
      '/home': rootDir(0o755),
      '/home/link': rootDir(0o755),
      '/root': rootDir(0o700),
      '/root/real': rootDir(0o755),
    });
    const realpath = (path: string): string => path.replace('/home/link', '/root/real');
    expect(findBlockingPath('/home/link/data', pg, 0, stat, realpath)).toMatchObject({ path: '/root' });
  });

  const asRoot = process.getuid?.() === 0 && lookupUser('postgres') ? it : it.skip;
  asRoot('sees a fresh mkdtemp directory (0700) as out of reach for user postgres, and 0755 as reachable', () => {
    const user = spawnedIdentity(lookupUser('postgres') as UserIdentity);
    const dir = mkdtempSync(join(tmpdir(), 'runnel-reach-'));
    try {
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'sub', 'file'), 'x', { mode: 0o600 });
      symlinkSync(join(dir, 'sub'), join(dir, 'link'));
      expect(findBlockingPath(join(dir, 'sub', 'data'), user, 0)).toMatchObject({ path: dir, mode: 0o700 });
      chmodSync(dir, 0o755);
      expect(findBlockingPath(join(dir, 'sub', 'data'), user, 0)).toBeUndefined();
      expect(findBlockingPath(join(dir, 'link', 'file'), user, ACCESS_READ)?.path).toBe(join(dir, 'link', 'file'));
      chmodSync(join(dir, 'sub', 'file'), 0o644);
      expect(findBlockingPath(join(dir, 'link', 'file'), user, ACCESS_READ)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lookupUser', () => {
  it('reads uid, gid and all groups of a user, and undefined for an unknown one', () => {
    const root = lookupUser('root');
    expect(root).toMatchObject({ name: 'root', uid: 0, gid: 0 });
    expect(root?.groups).toContain(0);
    expect(lookupUser('no-such-user-runnel')).toBeUndefined();
  });
});
