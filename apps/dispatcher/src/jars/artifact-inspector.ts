/**
 * Runs artifact-inspector.worker.js for one artifact, with a deadline. The worker reaps esbuild's
 * process before the artifact's code runs (loadJobModule), so ending it once it has answered
 * leaves no zombie. At the deadline it is asked to stop esbuild and end ('abort': it may still be
 * bundling), and terminated if it has not ended within ABORT_GRACE_MS (the artifact's code spins).
 */
import { InvalidArtifactError } from '@runnel/protocol';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { JobGraph } from '@runnel/protocol';

export interface InspectRequest {
  readonly path: string;
  readonly programArgs: string[];
  readonly parallelism?: number;
}

export type InspectResult =
  | { readonly ok: true; readonly jobGraph: JobGraph; readonly jobGraphHash: string }
  | { readonly ok: false; readonly message: string; readonly code?: string };

/** What the dispatcher sends the worker. */
export type InspectorControl = { readonly type: 'abort' };

/** How long a worker past its deadline gets to stop esbuild and end by itself. */
const ABORT_GRACE_MS = 2000;

export interface InspectedJob {
  readonly jobGraph: JobGraph;
  readonly jobGraphHash: string;
}

export type ArtifactInspector = (request: InspectRequest) => Promise<InspectedJob>;

export function workerArtifactInspector(timeoutMs: number, entry = join(__dirname, 'artifact-inspector.worker.js')): ArtifactInspector {
  return (request) =>
    new Promise<InspectedJob>((resolve, reject) => {
      const worker = new Worker(entry, { workerData: request, stdout: true, stderr: true });
      const timer = setTimeout(() => {
        worker.postMessage({ type: 'abort' } satisfies InspectorControl);
        worker.unref(); // a hung artifact does not keep the dispatcher's process alive meanwhile
        setTimeout(() => void worker.terminate(), ABORT_GRACE_MS).unref();
        reject(new InvalidArtifactError(`building the job graph took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      worker.once('message', (result: InspectResult) => {
        clearTimeout(timer);
        void worker.terminate();
        if (result.ok) resolve({ jobGraph: result.jobGraph, jobGraphHash: result.jobGraphHash });
        else reject(new InvalidArtifactError(result.message, result.code ? { code: result.code } : undefined));
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(new InvalidArtifactError(`the job artifact crashed while loading: ${error.message}`));
      });
      worker.once('exit', (code) => {
        clearTimeout(timer);
        reject(new InvalidArtifactError(`the job artifact ended its thread (exit code ${code}) while loading`));
      });
    });
}
