/**
 * CPU profiles of a TaskManager's slot workers (POST /taskmanagers/:id/profile, and Flink's
 * flame graph of a vertex): each chosen worker profiles itself for the duration, in parallel; the
 * profiles become one flame graph whose first level is the slots and the tasks they run.
 */
import { ProfileRequest } from '@runnel/protocol';
import type { SlotWorker } from './slot-worker.host';
import { FlameNode, cpuProfileToFlameGraph } from './flame-graph';

/** V8's default sampling interval is 1000 µs; 1 ms gives ~1000 samples a second per worker. */
const DEFAULT_SAMPLING_INTERVAL_US = 1000;

export async function profileWorkers(workers: readonly SlotWorker[], request: Omit<ProfileRequest, 'protocolVersion'>): Promise<Record<string, unknown>> {
  const chosen = workers.filter(
    (w) => !w.failed && (request.jobId === undefined || w.jobId === request.jobId) && (request.vertexId === undefined || w.runsVertex(request.vertexId, request.subtaskIndex)),
  );
  const interval = request.samplingIntervalUs ?? DEFAULT_SAMPLING_INTERVAL_US;
  const results = await Promise.allSettled(chosen.map((w) => w.profile(request.durationMs, interval)));
  const slots: FlameNode[] = [];
  const failures: string[] = [];
  results.forEach((r, i) => {
    const w = chosen[i];
    if (r.status === 'rejected') {
      failures.push(`slot ${w.slotIndex}: ${(r.reason as Error).message}`);
      return;
    }
    const graph = cpuProfileToFlameGraph(r.value, request.type === 'on_cpu');
    slots.push({ name: `slot ${w.slotIndex}: ${w.taskNames().join(', ') || 'no task'}`, value: graph.value, children: graph.children });
  });
  return {
    endTimestamp: Date.now(),
    data: slots.length ? { name: 'root', value: slots.reduce((a, s) => a + s.value, 0), children: slots } : null,
    samplingIntervalUs: interval,
    workers: chosen.map((w) => ({ slot: w.slotIndex, jobId: w.jobId, tasks: w.taskNames() })),
    ...(failures.length ? { failures } : {}),
  };
}
