// d3-flame-graph ships no types: the part of its API the flame graph tab uses.
declare module 'd3-flame-graph' {
  export interface FlameGraphNode {
    name: string;
    value: number;
    children: FlameGraphNode[];
  }
  export interface FlameGraph {
    (selection: unknown): void;
    width(width: number): FlameGraph;
    cellHeight(height: number): FlameGraph;
    minFrameSize(px: number): FlameGraph;
    transitionDuration(ms: number): FlameGraph;
    selfValue(self: boolean): FlameGraph;
    inverted(inverted: boolean): FlameGraph;
    sort(sort: boolean): FlameGraph;
    destroy(): void;
  }
  export default function flamegraph(): FlameGraph;
}
