/**
 * Human-readable rendering of a JobGraph for `runnel info`: vertices (operator chains) in
 * topological order with parallelism, then edges with their partitioners, then the graph hash.
 */
import type { JobGraph } from '@runnel/dataflow';

export function formatPlan(jobGraph: JobGraph, hash: string): string {
  const lines: string[] = [];
  const { config } = jobGraph;
  lines.push(`Job: ${jobGraph.jobName}`);
  lines.push(
    `  parallelism ${config.parallelism}, max parallelism ${config.maxParallelism}, checkpointing ` +
      (config.checkpointing ? `every ${config.checkpointing.intervalMs} ms (${config.checkpointing.mode})` : 'off'),
  );
  lines.push(`  hash ${hash}`);
  lines.push('');
  lines.push(`Vertices (${jobGraph.vertices.length}):`);
  jobGraph.vertices.forEach((v, i) => {
    lines.push(`  [${i}] ${v.name}  id=${v.id}  parallelism=${v.parallelism}  maxParallelism=${v.maxParallelism}${v.isSource ? '  (source)' : ''}`);
    // A branching chain says which operator feeds which (the others: the one above).
    v.operators.forEach((op, k) => {
      const from = op.chainedFrom !== undefined && op.chainedFrom !== k - 1 ? `  after ${v.operators[op.chainedFrom]?.name ?? `#${op.chainedFrom}`}` : '';
      lines.push(`        - ${op.name} (${op.kind}${op.keyed ? ', keyed' : ''}${op.inputs > 1 ? `, ${op.inputs} inputs` : ''})  uid=${op.uid}${from}`);
    });
  });
  lines.push('');
  lines.push(`Edges (${jobGraph.edges.length}):`);
  const index = new Map(jobGraph.vertices.map((v, i) => [v.id, i]));
  for (const e of jobGraph.edges) {
    const side = e.sideOutputTag ? `  side output '${e.sideOutputTag}'` : '';
    // An edge leaving from inside a chain (not its last operator) names that operator.
    const fromOp = e.sourceOperator ? jobGraph.vertices[index.get(e.source) ?? -1]?.operators.find((o) => o.uid === e.sourceOperator) : undefined;
    const from = e.sourceOperator ? `  from ${fromOp?.name ?? '?'} (uid=${e.sourceOperator})` : '';
    lines.push(`  [${index.get(e.source)}] -> [${index.get(e.target)}] input ${e.targetInput}  ${e.partitioner}${side}${from}`);
  }
  return lines.join('\n') + '\n';
}
