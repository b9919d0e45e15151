import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar';
import { assertLinksConfined, checkPackageArchive } from './package-archive.check';

const limits = { maxUnpackedBytes: 10_000, maxFiles: 20 };

describe('checkPackageArchive', () => {
  let work: string;
  let n = 0;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'runnel-archive-check-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  /** Packs `entries` of a folder `build` filled; returns the .tgz bytes. */
  function pack(build: (dir: string) => void, entries = ['package'], options: object = {}): Buffer {
    const root = join(work, `r${n++}`);
    mkdirSync(join(root, 'package'), { recursive: true });
    build(join(root, 'package'));
    const file = join(work, `a${n}.tgz`);
    tar.c({ gzip: true, cwd: root, file, sync: true, ...options }, entries);
    return readFileSync(file);
  }
  const pkg = (dir: string) => writeFileSync(join(dir, 'package.json'), '{"name":"p","main":"job.mjs"}');
  const refused = (bytes: Uint8Array) => checkPackageArchive(bytes, 'p.tgz', limits).then(
    () => 'accepted',
    (error: Error & { code?: string }) => `${error.code}: ${error.message}`,
  );

  it('accepts a package within the limits, links inside it included', async () => {
    const bytes = pack((d) => {
      pkg(d);
      writeFileSync(join(d, 'job.mjs'), 'export default () => {};');
      mkdirSync(join(d, 'lib'));
      symlinkSync('../job.mjs', join(d, 'lib', 'job.mjs'));
    });
    await expect(checkPackageArchive(bytes, 'p.tgz', limits)).resolves.toMatchObject({ entries: 5 });
  });

  it('accepts an uncompressed tar too', async () => {
    const root = join(work, 'plain');
    mkdirSync(root);
    pkg(root);
    tar.c({ cwd: root, file: join(work, 'p.tar'), sync: true }, ['package.json']);
    await expect(checkPackageArchive(readFileSync(join(work, 'p.tar')), 'p.tgz', limits)).resolves.toMatchObject({ entries: 1 });
  });

  it('refuses absolute paths, "..", and links pointing out', async () => {
    writeFileSync(join(work, 'outside.txt'), 'x');
    const withOutside = (d: string) => {
      pkg(d);
      writeFileSync(join(d, '..', 'outside.txt'), 'x');
    };
    expect(await refused(pack(withOutside, ['package', 'package/../outside.txt'], { preservePaths: true }))).toMatch(/INVALID_ARTIFACT: .*"\.\." in its path; nothing was stored/);
    expect(await refused(pack(pkg, ['package', join(work, 'outside.txt')], { preservePaths: true }))).toMatch(/has an absolute path/);
    expect(await refused(pack((d) => symlinkSync('/etc/passwd', join(d, 'x'))))).toMatch(/symbolic link "package\/x" points to "\/etc\/passwd", outside the archive/);
    expect(await refused(pack((d) => symlinkSync('../../secret', join(d, 'x'))))).toMatch(/symbolic link .* outside the archive/);
    expect(await refused(pack((d) => { mkdirSync(join(d, 'a')); symlinkSync('../../..', join(d, 'a', 'up')); }))).toMatch(/outside the archive/);
  });

  it('refuses too many entries and too many bytes, stopping early on a gzip bomb', async () => {
    expect(await refused(pack((d) => { for (let i = 0; i < 25; i++) writeFileSync(join(d, `f${i}`), ''); }))).toMatch(/more than 20 entries \(ARTIFACT_MAX_FILES\)/);
    expect(await refused(pack((d) => writeFileSync(join(d, 'big'), Buffer.alloc(10_001))))).toMatch(/more than 10000 bytes \(ARTIFACT_MAX_UNPACKED_BYTES\)/);
    // 1 GiB of zeros behind a ~1 MB gzip header claiming one small file: refused long before the end.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const started = Date.now();
    expect(await refused(bomb)).toMatch(/INVALID_ARTIFACT/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses what is not a tar archive', async () => {
    expect(await refused(Buffer.from('not an archive at all'))).toMatch(/INVALID_ARTIFACT: p\.tgz/);
    expect(await refused(gzipSync(Buffer.from('not a tar')))).toMatch(/INVALID_ARTIFACT/);
  });
});

describe('assertLinksConfined', () => {
  it('finds a link that leaves the folder through another link', async () => {
    const work = mkdtempSync(join(tmpdir(), 'runnel-archive-links-'));
    try {
      const root = join(work, 'root');
      mkdirSync(join(root, 'sub'), { recursive: true });
      symlinkSync('..', join(root, 'sub', 'up')); // textually inside: sub/.. is the root
      symlinkSync('sub/up/..', join(root, 'escape')); // textually inside too, really the root's parent
      await expect(assertLinksConfined(root, 'p.tgz')).rejects.toThrow(/symbolic link "escape" resolves outside the archive/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
