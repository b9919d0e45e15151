/**
 * The shape of a vertex's operator chain. A chain is a tree (Flink's OperatorChain): its head is
 * fed by the input gate or a source reader, every other operator by one chained predecessor, and
 * an operator may feed several chained successors and network edges at once. The defaults of the
 * JSON (no `chainedFrom`: the operator before; no `sourceOperator`: the last operator) are read
 * here only, so graphs stored before chains could branch mean what they meant.
 */
import type { JobEdge, JobVertex, OperatorDescriptor } from './job-graph.types';

/** predecessors[i] = index of operator i's chained predecessor; -1 for the head. */
export function chainPredecessors(vertex: JobVertex): number[] {
  return vertex.operators.map((o, i) => (i === 0 ? -1 : (o.chainedFrom ?? i - 1)));
}

/** Index in `vertex.operators` of the operator `edge` (an out-edge of `vertex`) leaves from. */
export function edgeSourceOperator(vertex: JobVertex, edge: JobEdge): number {
  if (edge.sourceOperator === undefined) return vertex.operators.length - 1;
  const i = vertex.operators.findIndex((o) => o.uid === edge.sourceOperator);
  if (i < 0) throw new Error(`edge ${edge.id} leaves from operator ${edge.sourceOperator}, which is not in vertex ${vertex.id}`);
  return i;
}

/**
 * A chain's name as Flink's StreamingJobGraphGenerator makes it: `a -> b` along a line,
 * `a -> (b, c -> d)` where an operator feeds several chained successors.
 */
export function chainName(operators: readonly Pick<OperatorDescriptor, 'name'>[], predecessors: readonly number[]): string {
  const children = operators.map(() => [] as number[]);
  predecessors.forEach((p, i) => {
    if (p >= 0) children[p].push(i);
  });
  const name = (i: number): string => {
    const c = children[i];
    if (c.length === 0) return operators[i].name;
    if (c.length === 1) return `${operators[i].name} -> ${name(c[0])}`;
    return `${operators[i].name} -> (${c.map(name).join(', ')})`;
  };
  return operators.length ? name(0) : '';
}
