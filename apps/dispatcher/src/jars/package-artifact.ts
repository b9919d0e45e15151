/**
 * Job artifacts that come as a package (.tgz with a package.json, as `npm pack` makes them):
 * unpacked into a temporary folder, the package's entry found from package.json, and bundled —
 * with the package's own node_modules, if it ships them — into the single-file ES module that a
 * cluster stores and runs. What cannot be resolved is refused with esbuild's message. The archive
 * is checked (package-archive.check.ts: size, entry count, paths, links) before it is unpacked,
 * and the entry package.json names must lie inside it.
 */
import { bundleJobArtifact } from '@runnel/dataflow';
import { InvalidArtifactError } from '@runnel/protocol';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import * as tar from 'tar';
import { assertLinksConfined, checkPackageArchive, confinedRealPath, PackageLimits } from './package-archive.check';

export function isPackageArtifact(bytes: Uint8Array, filename: string): boolean {
  return (bytes[0] === 0x1f && bytes[1] === 0x8b) || /\.(tgz|tar\.gz)$/i.test(filename);
}

interface PackageJson {
  name?: string;
  main?: string;
  module?: string;
  exports?: string | Record<string, unknown>;
}

/** The entries package.json names (exports, module, main), by the field that names each. */
function declaredEntries(pkg: PackageJson): { field: string; path: string }[] {
  const declared: { field: string; path: string }[] = [];
  const exp = pkg.exports;
  if (typeof exp === 'string') declared.push({ field: 'exports', path: exp });
  else if (exp && typeof exp === 'object') {
    const dot = (exp['.'] ?? exp) as Record<string, unknown> | string;
    if (typeof dot === 'string') declared.push({ field: 'exports', path: dot });
    else for (const key of ['import', 'default', 'node', 'require']) if (typeof dot[key] === 'string') declared.push({ field: `exports.${key}`, path: dot[key] as string });
  }
  if (typeof pkg.module === 'string') declared.push({ field: 'module', path: pkg.module });
  if (typeof pkg.main === 'string') declared.push({ field: 'main', path: pkg.main });
  return declared;
}

function outside(root: string, path: string): boolean {
  const rel = relative(root, resolve(root, path));
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

function entryOf(pkg: PackageJson): string[] {
  return [...declaredEntries(pkg).map((e) => e.path), 'index.mjs', 'index.js', 'index.ts', 'src/index.ts'];
}

/** Bundles a packaged job into one ES module; returns its bytes and a file name for listings. */
export async function bundlePackageArtifact(bytes: Uint8Array, filename: string, limits: PackageLimits): Promise<{ bytes: Uint8Array; filename: string }> {
  await checkPackageArchive(bytes, filename, limits);
  const directory = await mkdtemp(join(tmpdir(), 'runnel-package-'));
  try {
    const archive = join(directory, 'artifact.tgz');
    await writeFile(archive, bytes);
    const unpacked = join(directory, 'unpacked');
    await mkdir(unpacked);
    try {
      await tar.x({ file: archive, cwd: unpacked, strict: true });
    } catch (error) {
      throw new InvalidArtifactError(`${filename} is not a readable .tgz archive: ${(error as Error).message}`);
    }
    await assertLinksConfined(await realpath(unpacked), filename);
    // `npm pack` puts everything under package/; accept a bare archive too.
    const top = readdirSync(unpacked);
    const root = await realpath(top.length === 1 && existsSync(join(unpacked, top[0], 'package.json')) ? join(unpacked, top[0]) : unpacked);
    if (!existsSync(join(root, 'package.json'))) throw new InvalidArtifactError(`${filename} has no package.json`);
    let pkg: PackageJson;
    try {
      pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as PackageJson;
    } catch (error) {
      throw new InvalidArtifactError(`${filename}: its package.json is not valid JSON (${(error as Error).message})`);
    }
    const escaping = declaredEntries(pkg).find((e) => outside(root, e.path));
    if (escaping) {
      throw new InvalidArtifactError(`${filename} was refused: package.json "${escaping.field}" ${JSON.stringify(escaping.path)} points outside the package; nothing was stored`);
    }
    const found = entryOf(pkg).map((e) => join(root, e)).find((e) => existsSync(e));
    if (!found) throw new InvalidArtifactError(`${filename}: package.json names no entry that exists (exports, module, main or index.*)`);
    // The entry may be a link: it must lead to a file of the package, not elsewhere on this host.
    const entry = await confinedRealPath(root, found);
    if (!entry) throw new InvalidArtifactError(`${filename} was refused: its entry ${JSON.stringify(relative(root, found))} resolves outside the package; nothing was stored`);
    const artifact = await bundleJobArtifact(entry);
    return { bytes: artifact.bytes, filename: `${pkg.name?.replace(/[^A-Za-z0-9._-]/g, '_') ?? filename.replace(/\.(tgz|tar\.gz)$/i, '')}.mjs` };
  } catch (error) {
    if (error instanceof InvalidArtifactError) throw error;
    throw new InvalidArtifactError(`${filename} could not be bundled: ${(error as Error).message}`);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
