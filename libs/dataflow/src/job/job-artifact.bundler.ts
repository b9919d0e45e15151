/**
 * Turns a job (a .ts or .mjs entry with its local imports) into the single-file ES module artifact
 * that is uploaded to a cluster: bundled with esbuild, `@runnel/dataflow` left external so workers
 * bind the artifact to their own copy, npm dependencies bundled in. The same bytes give the same
 * sha256, so uploading an unchanged job twice stores it once.
 */
import * as path from 'node:path';
import { JobModuleError } from '../core/dataflow.errors';
import { buildWithEsbuild } from './esbuild.runner';

export interface JobArtifact {
  /** The ES module's bytes. */
  readonly bytes: Uint8Array;
  /** A file name for the upload: the entry's base name with .mjs. */
  readonly filename: string;
}

export async function bundleJobArtifact(entry: string): Promise<JobArtifact> {
  const absolute = path.resolve(entry);
  try {
    const out = await buildWithEsbuild({
      entryPoints: [absolute],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      external: ['@runnel/*'],
      logLevel: 'silent',
      // No timestamps or absolute paths in the output: the bytes depend on the sources only.
      legalComments: 'none',
    });
    return { bytes: out.outputFiles[0].contents, filename: `${path.basename(absolute).replace(/\.[cm]?[jt]s$/, '')}.mjs` };
  } catch (error) {
    throw new JobModuleError(`could not bundle job ${entry}: ${(error as Error).message}`, error);
  }
}
