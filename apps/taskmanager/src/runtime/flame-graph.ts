/**
 * A V8 CPU profile (nodes with call frames and children, one node id per sample) turned into
 * Flink's flame graph nodes: {name, value = samples in this frame and below, children}. With
 * `onCpuOnly`, samples of an idle worker ((idle), (program), (garbage collector)) are left out.
 */
import type { Profiler } from 'node:inspector';

export interface FlameNode {
  name: string;
  value: number;
  children: FlameNode[];
}

const IDLE = new Set(['(idle)', '(program)', '(garbage collector)']);

function frameName(frame: Profiler.ProfileNode['callFrame']): string {
  const fn = frame.functionName || '(anonymous)';
  if (!frame.url) return fn;
  const file = frame.url.replace(/^file:\/\//, '');
  return `${fn} (${file}:${frame.lineNumber + 1})`;
}

export function cpuProfileToFlameGraph(profile: Profiler.Profile, onCpuOnly = false): FlameNode {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfSamples = new Map<number, number>();
  for (const id of profile.samples ?? []) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);
  const root = profile.nodes[0];
  const build = (node: Profiler.ProfileNode): FlameNode | undefined => {
    if (onCpuOnly && IDLE.has(node.callFrame.functionName)) return undefined;
    const children = (node.children ?? []).flatMap((id) => {
      const child = byId.get(id);
      const built = child ? build(child) : undefined;
      return built && built.value > 0 ? [built] : [];
    });
    const value = (selfSamples.get(node.id) ?? 0) + children.reduce((a, c) => a + c.value, 0);
    return { name: node === root ? 'root' : frameName(node.callFrame), value, children };
  };
  return (root && build(root)) ?? { name: 'root', value: 0, children: [] };
}
