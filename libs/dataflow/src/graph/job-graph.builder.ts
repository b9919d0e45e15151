/**
 * Transformations → JobGraph: resolves virtual nodes into edges with partitioners, validates the
 * program (keyed inputs, parallelism, uids, watermarks), assigns deterministic uids and chains
 * operators. Everything here depends only on the program's structure, never on time or chance,
 * so re-running the same job module gives byte-identical JSON.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/key-group.assignment';
import {
  DuplicateUidError,
  InvalidParallelismError,
  MissingWatermarksError,
  NonKeyedStreamError,
} from '../core/dataflow.errors';
import {
  PartitionerType,
  type CheckpointConfig,
  type FunctionRegistry,
  type JobEdge,
  type JobGraph,
  type JobVertex,
  type OperatorDescriptor,
} from './job-graph.types';
import type { RestartStrategyConfig } from '../api/restart-strategies';
import { chainName } from './operator-chain';
import { ChainingStrategy, KEYED_OPERATOR_KINDS, OperatorKind, Transformation, VirtualKind } from './transformation';

export interface BuildOptions {
  readonly jobName: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly checkpointing?: CheckpointConfig;
  readonly restartStrategy?: RestartStrategyConfig;
  readonly bufferTimeoutMs?: number;
  readonly autoWatermarkIntervalMs?: number;
}

interface ResolvedInput {
  node: Transformation;
  partitioner?: PartitionerType;
  keySelector?: (value: never) => unknown;
  tag?: string;
}

interface Node {
  t: Transformation;
  uid: string;
  parallelism: number;
  maxParallelism: number;
  slotSharingGroup: string;
  /** inputs[i] = resolved upstream edges of logical input i */
  inputs: { from: Node; partitioner: PartitionerType; tag?: string }[][];
  outs: { to: Node; input: number; partitioner: PartitionerType; tag?: string }[];
  chainedTo: Node[];
  chainedFrom?: Node;
}

export interface BuiltJob {
  readonly jobGraph: JobGraph;
  readonly functions: FunctionRegistry;
}

export function buildJobGraphFromTransformations(all: readonly Transformation[], options: BuildOptions): BuiltJob {
  const physical = all.filter((t) => !t.isVirtual).sort((a, b) => a.id - b.id);
  const nodes = new Map<Transformation, Node>();
  const uids = new Map<string, Node>();
  const functions: FunctionRegistry = new Map();
  const siblingCount = new Map<string, number>();

  for (const t of physical) {
    const parallelism = t.parallelism ?? options.parallelism;
    const maxParallelism = t.maxParallelism ?? options.maxParallelism;
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new InvalidParallelismError(t.name, `parallelism must be an integer >= 1, got ${parallelism}`);
    if (parallelism > maxParallelism) throw new InvalidParallelismError(t.name, `parallelism ${parallelism} exceeds maxParallelism ${maxParallelism}`);

    const resolvedInputs = t.inputs.map((input) => resolve(input, {}));
    const keyed = KEYED_OPERATOR_KINDS.has(t.kind);
    const keySelectors: ((value: never) => unknown)[] = [];
    resolvedInputs.forEach((edges, i) => {
      for (const e of edges) {
        if (keyed && (e.partitioner !== PartitionerType.Hash || !e.keySelector)) throw new NonKeyedStreamError(t.name);
        if (e.keySelector && e.partitioner === PartitionerType.Hash && keySelectors[i] === undefined) keySelectors[i] = e.keySelector;
      }
    });
    if (t.needsWatermarks && !t.inputs.every(hasWatermarks)) throw new MissingWatermarksError(t.name);

    const inputs = resolvedInputs.map((edges) =>
      edges.map((e) => {
        const from = nodes.get(e.node)!;
        let partitioner = e.partitioner;
        if (partitioner === undefined) partitioner = from.parallelism === parallelism ? PartitionerType.Forward : PartitionerType.Rebalance;
        if (partitioner === PartitionerType.Forward && from.parallelism !== parallelism)
          throw new InvalidParallelismError(t.name, `forward edge from "${from.t.name}" (parallelism ${from.parallelism}) to parallelism ${parallelism}; use rebalance() or equal parallelism`);
        return { from, partitioner, tag: e.tag };
      }),
    );

    // Auto uid: a hash of the operator's position in the topology (kind, upstream uids, and
    // its index among earlier consumers of the same upstream), like Flink's StreamGraphHasher.
    let uid = t.uid;
    if (!uid) {
      const upstream = inputs.map((edges) => edges.map((e) => `${e.from.uid}/${e.partitioner}/${e.tag ?? ''}`).join('+')).join('|');
      const sibKey = upstream || 'source';
      const sibling = siblingCount.get(sibKey) ?? 0;
      siblingCount.set(sibKey, sibling + 1);
      uid = `${t.kind}-${createHash('sha256').update(`${t.kind}|${upstream}|${sibling}`).digest('hex').slice(0, 12)}`;
    }
    const dup = uids.get(uid);
    if (dup) throw new DuplicateUidError(uid, t.name, dup.t.name);

    const firstInput = inputs[0]?.[0]?.from;
    const node: Node = {
      t,
      uid,
      parallelism,
      maxParallelism,
      slotSharingGroup: t.slotSharingGroup ?? firstInput?.slotSharingGroup ?? 'default',
      inputs,
      outs: [],
      chainedTo: [],
    };
    uids.set(uid, node);
    nodes.set(t, node);
    inputs.forEach((edges, i) => edges.forEach((e) => e.from.outs.push({ to: node, input: i, partitioner: e.partitioner, tag: e.tag })));
    functions.set(uid, { ...t.functions, ...(keySelectors.length > 0 ? { keySelectors } : {}) });
  }

  // Chaining decisions, per edge as in Flink (StreamingJobGraphGenerator.isChainable): an operator
  // is chained with every successor it can be, so a chain is a tree (a source feeding several
  // filters is one task). Side outputs and edges into multi-input operators stay network edges.
  for (const node of nodes.values()) {
    for (const out of node.outs) {
      const down = out.to;
      const downEdges = down.inputs.reduce((n, edges) => n + edges.length, 0);
      if (
        out.partitioner === PartitionerType.Forward &&
        out.tag === undefined &&
        downEdges === 1 &&
        node.parallelism === down.parallelism &&
        node.slotSharingGroup === down.slotSharingGroup &&
        node.t.chainingStrategy !== ChainingStrategy.Never &&
        down.t.chainingStrategy === ChainingStrategy.Always
      ) {
        node.chainedTo.push(down);
        down.chainedFrom = node;
      }
    }
  }

  const vertices: JobVertex[] = [];
  const vertexOf = new Map<Node, JobVertex>();
  const heads: Node[] = [];
  /** The buffer timeout an edge leaving from this operator carries itself (differs from its vertex's). */
  const edgeTimeout = new Map<Node, number | undefined>();
  for (const t of physical) {
    const head = nodes.get(t)!;
    if (head.chainedFrom) continue;
    // Head first, depth first: topological, and a linear chain in its old order.
    const chain: Node[] = [];
    const predecessors: number[] = [];
    const visit = (n: Node, from: number) => {
      const i = chain.push(n) - 1;
      predecessors.push(from);
      for (const next of n.chainedTo) visit(next, i);
    };
    visit(head, -1);
    // Only a branching chain names predecessors, so the JSON (and hash) of linear ones is unchanged.
    const branches = chain.some((n) => n.chainedTo.length > 1);
    // Buffer timeouts belong to the output of the operator producing it (Flink's per-operator
    // setBufferTimeout), inherited down the chain: the one set nearest on the path from the head.
    const ownTimeout = new Map<Node, number | undefined>();
    chain.forEach((n, i) => ownTimeout.set(n, n.t.bufferTimeoutMs ?? (i > 0 ? ownTimeout.get(chain[predecessors[i]]) : undefined)));
    // The vertex names the timeout when all of the chain's outputs share it (so a chain whose edges
    // all leave its last operator, any linear one but for side outputs, keeps the JSON and hash it
    // had before edges carried timeouts), and edges theirs where it differs; an edge naming none
    // with the vertex naming none takes the job's (it is never one the vertex's would override).
    const producers = chain.filter((n) => n.outs.some((o) => !n.chainedTo.includes(o.to)));
    const outputTimeouts = new Set((producers.length > 0 ? producers : [chain[chain.length - 1]]).map((n) => ownTimeout.get(n)));
    const bufferTimeoutMs = outputTimeouts.size === 1 ? [...outputTimeouts][0] : undefined;
    for (const n of chain) edgeTimeout.set(n, ownTimeout.get(n) !== bufferTimeoutMs ? ownTimeout.get(n) : undefined);
    const operators = chain.map(
      (n, i): OperatorDescriptor => ({
        uid: n.uid,
        name: n.t.name,
        kind: n.t.kind,
        inputs: n.t.inputs.length,
        keyed: KEYED_OPERATOR_KINDS.has(n.t.kind),
        config: JSON.parse(canonicalJson(n.t.config)) as Record<string, unknown>,
        ...(branches && i > 0 ? { chainedFrom: predecessors[i] } : {}),
      }),
    );
    const vertex: JobVertex = {
      id: head.uid,
      name: chainName(operators, predecessors),
      parallelism: head.parallelism,
      maxParallelism: head.maxParallelism,
      slotSharingGroup: head.slotSharingGroup,
      isSource: head.t.kind === OperatorKind.Source,
      operators,
      ...(bufferTimeoutMs !== undefined ? { bufferTimeoutMs } : {}),
    };
    for (const n of chain) vertexOf.set(n, vertex);
    heads.push(head);
    vertices.push(vertex);
  }

  const edges: JobEdge[] = [];
  vertices.forEach((v, k) => {
    heads[k].inputs.forEach((ins, input) => {
      for (const e of ins) {
        const from = vertexOf.get(e.from)!;
        const last = from.operators[from.operators.length - 1];
        edges.push({
          id: `e${edges.length}`,
          source: from.id,
          target: v.id,
          targetInput: input,
          partitioner: e.partitioner,
          ...(e.tag !== undefined ? { sideOutputTag: e.tag } : {}),
          // An edge from the last operator names none (the only case in a linear chain).
          ...(last.uid !== e.from.uid ? { sourceOperator: e.from.uid } : {}),
          ...(edgeTimeout.get(e.from) !== undefined ? { bufferTimeoutMs: edgeTimeout.get(e.from) } : {}),
        });
      }
    });
  });

  const jobGraph: JobGraph = {
    jobName: options.jobName,
    config: {
      parallelism: options.parallelism,
      maxParallelism: options.maxParallelism,
      ...(options.checkpointing ? { checkpointing: options.checkpointing } : {}),
      ...(options.restartStrategy ? { restartStrategy: options.restartStrategy } : {}),
      ...(options.bufferTimeoutMs !== undefined ? { bufferTimeoutMs: options.bufferTimeoutMs } : {}),
      ...(options.autoWatermarkIntervalMs !== undefined ? { autoWatermarkIntervalMs: options.autoWatermarkIntervalMs } : {}),
    },
    vertices,
    edges,
  };
  return { jobGraph, functions };
}

function resolve(t: Transformation, acc: Omit<ResolvedInput, 'node'>): ResolvedInput[] {
  switch (t.kind) {
    case VirtualKind.Partition: {
      // The partitioner closest to the consumer wins (keyBy(x).rebalance() rebalances).
      const next = acc.partitioner ? acc : { ...acc, partitioner: t.partitioner, keySelector: t.keySelector };
      return resolve(t.inputs[0], next);
    }
    case VirtualKind.Union:
      return t.inputs.flatMap((i) => resolve(i, acc));
    case VirtualKind.SideOutput:
      return resolve(t.inputs[0], { ...acc, tag: t.sideOutputTag });
    default:
      return [{ node: t, ...acc }];
  }
}

function hasWatermarks(t: Transformation): boolean {
  if (t.assignsWatermarks) return true;
  if (t.kind === OperatorKind.Source) return false;
  return t.inputs.length > 0 && t.inputs.every(hasWatermarks);
}

/** sha256 of the canonical JSON: identifies a job graph across processes. */
export function jobGraphHash(graph: JobGraph): string {
  return createHash('sha256').update(canonicalJson(graph)).digest('hex');
}
