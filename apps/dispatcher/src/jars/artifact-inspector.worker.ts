/**
 * Loads a job artifact and builds its graph in a throw-away worker thread, so a broken or hostile
 * artifact (a syntax error, an endless loop, a process.exit) cannot take the dispatcher down.
 * loadJobModule has stopped esbuild and reaped its process before the artifact's code runs, so
 * the thread leaves no zombie child whichever way it ends; a deadline that strikes while esbuild
 * is still bundling asks it to stop esbuild first ('abort').
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildJobGraph, loadJobModule, stopEsbuild } from '@runnel/dataflow';
import { InspectRequest, InspectResult, InspectorControl } from './artifact-inspector';

async function inspect(request: InspectRequest): Promise<InspectResult> {
  try {
    const module = await loadJobModule(request.path);
    const built = await buildJobGraph(module, request.programArgs, request.parallelism ? { parallelism: request.parallelism } : {});
    return { ok: true, jobGraph: built.jobGraph, jobGraphHash: built.hash };
  } catch (error) {
    const e = error as Error & { code?: string };
    return { ok: false, message: e?.message ?? String(error), ...(e?.code ? { code: e.code } : {}) };
  }
}

const port = parentPort!;
port.on('message', (message: InspectorControl) => {
  if (message.type === 'abort') void stopEsbuild().finally(() => process.exit(1));
});
port.unref(); // listening for 'abort' does not keep the thread alive
void inspect(workerData as InspectRequest).then((result) => port.postMessage(result));
