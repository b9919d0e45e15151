/** Flame graphs (Flink's JobVertexFlameGraph nodes: name, value = samples, children) merged frame by frame. */
export interface FlameNode {
  name: string;
  value: number;
  children: FlameNode[];
}

/** One tree of several: the roots' values add up, children with the same name merge recursively. */
export function mergeFlameGraphs(graphs: readonly FlameNode[]): FlameNode {
  const root: FlameNode = { name: 'root', value: 0, children: [] };
  for (const g of graphs) mergeInto(root, g);
  return root;
}

function mergeInto(target: FlameNode, source: FlameNode): void {
  target.value += source.value;
  for (const child of source.children) {
    let same = target.children.find((c) => c.name === child.name);
    if (!same) {
      same = { name: child.name, value: 0, children: [] };
      target.children.push(same);
    }
    mergeInto(same, child);
  }
}
