/**
 * Job artifacts that come as a package (.tgz with a package.json, as `npm pack` makes them):
 * unpacked into a temporary folder, the package's entry found from package.json, and bundled —
 * with the package's own node_modules, if it ships them — into the single-file ES module that a
 * cluster stores and runs. What cannot be resolved is refused with esbuild's message.
 */
import { bundleJobArtifact } from '@runnel/dataflow';
import { InvalidArtifactError } from '@runnel/protocol';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';

export function isPackageArtifact(bytes: Uint8Array, filename: string): boolean {
  return (bytes[0] === 0x1f && bytes[1] === 0x8b) || /\.(tgz|tar\.gz)$/i.test(filename);
}

interface PackageJson {
  name?: string;
  main?: string;
  module?: string;
  exports?: string | Record<string, unknown>;
}

function entryOf(pkg: PackageJson): string[] {
  const candidates: string[] = [];
  const exp = pkg.exports;
  if (typeof exp === 'string') candidates.push(exp);
  else if (exp && typeof exp === 'object') {
    const dot = (exp['.'] ?? exp) as Record<string, unknown> | string;
    if (typeof dot === 'string') candidates.push(dot);
    else for (const key of ['import', 'default', 'node', 'require']) if (typeof dot[key] === 'string') candidates.push(dot[key] as string);
  }
  for (const field of [pkg.module, pkg.main]) if (field) candidates.push(field);
  candidates.push('index.mjs', 'index.js', 'index.ts', 'src/index.ts');
  return candidates;
}

/** Bundles a packaged job into one ES module; returns its bytes and a file name for listings. */
export async function bundlePackageArtifact(bytes: Uint8Array, filename: string): Promise<{ bytes: Uint8Array; filename: string }> {
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
    // `npm pack` puts everything under package/; accept a bare archive too.
    const top = readdirSync(unpacked);
    const root = top.length === 1 && existsSync(join(unpacked, top[0], 'package.json')) ? join(unpacked, top[0]) : unpacked;
    if (!existsSync(join(root, 'package.json'))) throw new InvalidArtifactError(`${filename} has no package.json`);
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as PackageJson;
    const entry = entryOf(pkg).map((e) => join(root, e)).find((e) => existsSync(e));
    if (!entry) throw new InvalidArtifactError(`${filename}: package.json names no entry that exists (exports, module, main or index.*)`);
    const artifact = await bundleJobArtifact(entry);
    return { bytes: artifact.bytes, filename: `${pkg.name?.replace(/[^A-Za-z0-9._-]/g, '_') ?? filename.replace(/\.(tgz|tar\.gz)$/i, '')}.mjs` };
  } catch (error) {
    if (error instanceof InvalidArtifactError) throw error;
    throw new InvalidArtifactError(`${filename} could not be bundled: ${(error as Error).message}`);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
