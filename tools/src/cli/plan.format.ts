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
    for (const op of v.operators) {
      lines.push(`        - ${op.name} (${op.kind}${op.keyed ? ', keyed' : ''}${op.inputs > 1 ? `, ${op.inputs} inputs` : ''})  uid=${op.uid}`);
    }
  });
  lines.push('');
  lines.push(`Edges (${jobGraph.edges.length}):`);
  const index = new Map(jobGraph.vertices.map((v, i) => [v.id, i]));
  for (const e of jobGraph.edges) {
    const side = e.sideOutputTag ? `  side output '${e.sideOutputTag}'` : '';
    lines.push(`  [${index.get(e.source)}] -> [${index.get(e.target)}] input ${e.targetInput}  ${e.partitioner}${side}`);
  }
  return lines.join('\n') + '\n';
}
