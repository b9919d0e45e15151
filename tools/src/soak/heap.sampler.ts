/**
 * The JobManagers' heap over a soak (issue: "a soak of many jobs shows flat memory"): after each
 * round, every live JobManager process's `runnel_nodejs_heap_size_used_bytes` from its /metrics.
 * Kept per process (name and pid): a JobManager killed by the soak starts again from nothing, so
 * only one process's own samples say whether it grows with the jobs it ran.
 */
import type { ClusterMemberInfo } from '../cluster/local-cluster';

export interface HeapSample {
  readonly round: number;
  readonly heapMb: number;
}

const HEAP_USED = /^runnel_nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([0-9.e+]+)$/m;

export class HeapSampler {
  private readonly samples = new Map<string, HeapSample[]>();

  constructor(private readonly members: () => readonly ClusterMemberInfo[]) {}

  /** After a round ended: one sample per live JobManager (standbys too: they must stay flat as well). */
  async sample(round: number): Promise<void> {
    const jobManagers = this.members().filter((m) => m.role === 'jobmanager' && m.alive && m.port !== undefined);
    await Promise.all(
      jobManagers.map(async (m) => {
        const text = await fetch(`http://127.0.0.1:${m.port}/metrics`, { signal: AbortSignal.timeout(5000) })
          .then((r) => (r.ok ? r.text() : ''))
          .catch(() => '');
        const used = HEAP_USED.exec(text);
        if (!used) return;
        const key = `${m.name} (pid ${m.pid})`;
        const list = this.samples.get(key) ?? [];
        list.push({ round, heapMb: Number(used[1]) / 2 ** 20 });
        this.samples.set(key, list);
      }),
    );
  }

  /** One line per process: rounds seen, heap used at its first and last sample, and its highest. */
  report(): string[] {
    return [...this.samples].map(([key, list]) => {
      const mb = (v: number) => `${v.toFixed(1)} MB`;
      const max = Math.max(...list.map((s) => s.heapMb));
      return `${key}: ${list.length} round(s) ended while it ran; heap used first ${mb(list[0].heapMb)}, last ${mb(list[list.length - 1].heapMb)}, max ${mb(max)}`;
    });
  }
}
