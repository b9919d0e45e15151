/**
 * A JobGraph in the shape of Flink's REST "plan" (GET /jobs/:id/plan, POST /jars/:id/plan), so
 * tools that draw Flink plans draw Runnel's too.
 */
import type { JobGraph } from './job-graph.types';
import { chainName, chainPredecessors } from './operator-chain';

export interface FlinkPlan {
  readonly jid: string;
  readonly name: string;
  readonly type: 'STREAMING';
  readonly nodes: readonly {
    readonly id: string;
    readonly parallelism: number;
    readonly operator: string;
    readonly operator_strategy: string;
    readonly description: string;
    /**
     * Flink's fields, and the buffer timeout of the edge's channels where the job sets one (its
     * own, its source chain's or the job's; absent: the TaskManager's BUFFER_TIMEOUT_MS).
     */
    readonly inputs?: readonly { num: number; id: string; ship_strategy: string; exchange: string; buffer_timeout_ms?: number }[];
    readonly optimizer_properties: Record<string, never>;
  }[];
}

export function toFlinkPlan(jobGraph: JobGraph, jobId = ''): FlinkPlan {
  return {
    jid: jobId,
    name: jobGraph.jobName,
    type: 'STREAMING',
    nodes: jobGraph.vertices.map((v) => {
      const inputs = jobGraph.edges
        .filter((e) => e.target === v.id)
        .map((e, num) => {
          const timeout = e.bufferTimeoutMs ?? jobGraph.vertices.find((s) => s.id === e.source)?.bufferTimeoutMs ?? jobGraph.config.bufferTimeoutMs;
          return { num, id: e.source, ship_strategy: e.partitioner.toUpperCase(), exchange: 'pipelined_bounded', ...(timeout !== undefined ? { buffer_timeout_ms: timeout } : {}) };
        });
      // A chain that branches reads as Flink writes it: `a -> (b, c)`.
      const predecessors = chainPredecessors(v);
      return {
        id: v.id,
        parallelism: v.parallelism,
        operator: chainName(v.operators.map((o) => ({ name: o.kind })), predecessors),
        operator_strategy: '',
        description: chainName(v.operators, predecessors),
        ...(inputs.length ? { inputs } : {}),
        optimizer_properties: {},
      };
    }),
  };
}
