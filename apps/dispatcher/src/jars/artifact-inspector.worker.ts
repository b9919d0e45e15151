/**
 * Loads a job artifact and builds its graph in a throw-away worker thread, so a broken or hostile
 * artifact (a syntax error, an endless loop, a process.exit) cannot take the dispatcher down.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildJobGraph, loadJobModule } from '@runnel/dataflow';
import { InspectRequest, InspectResult } from './artifact-inspector';

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

void inspect(workerData as InspectRequest).then((result) => parentPort!.postMessage(result));
