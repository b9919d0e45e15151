/**
 * Transformations: the logical program as the API records it, before chaining. Physical ones
 * become operators; virtual ones (partition, union, side-output) only shape the edges.
 */
import type { PartitionerType } from './job-graph.types';

export const OperatorKind = {
  Source: 'source',
  Map: 'map',
  FlatMap: 'flatMap',
  Filter: 'filter',
  Process: 'process',
  TimestampsWatermarks: 'timestamps-watermarks',
  KeyedReduce: 'keyed-reduce',
  KeyedProcess: 'keyed-process',
  Window: 'window',
  CoMap: 'co-map',
  CoProcess: 'co-process',
  KeyedCoProcess: 'keyed-co-process',
  IntervalJoin: 'interval-join',
  Sink: 'sink',
} as const;
export type OperatorKind = (typeof OperatorKind)[keyof typeof OperatorKind];

/** Operator kinds that need every input to be hash-partitioned by key. */
export const KEYED_OPERATOR_KINDS: ReadonlySet<string> = new Set([
  OperatorKind.KeyedReduce,
  OperatorKind.KeyedProcess,
  OperatorKind.Window,
  OperatorKind.KeyedCoProcess,
  OperatorKind.IntervalJoin,
]);

export const VirtualKind = { Partition: 'partition', Union: 'union', SideOutput: 'side-output' } as const;
export type VirtualKind = (typeof VirtualKind)[keyof typeof VirtualKind];

export const ChainingStrategy = { Always: 'always', Head: 'head', Never: 'never' } as const;
export type ChainingStrategy = (typeof ChainingStrategy)[keyof typeof ChainingStrategy];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export class Transformation {
  uid?: string;
  parallelism?: number;
  maxParallelism?: number;
  slotSharingGroup?: string;
  /** setBufferTimeout on this operator (ms; -1 = only when full). */
  bufferTimeoutMs?: number;
  chainingStrategy: ChainingStrategy = ChainingStrategy.Always;
  /** Set on operators that assign timestamps and emit watermarks. */
  assignsWatermarks = false;
  /** Set on operators that need event-time watermarks from upstream. */
  needsWatermarks = false;
  /** For partition nodes. */
  partitioner?: PartitionerType;
  keySelector?: (value: never) => unknown;
  /** For side-output nodes. */
  sideOutputTag?: string;

  constructor(
    readonly id: number,
    readonly kind: OperatorKind | VirtualKind,
    public name: string,
    readonly inputs: Transformation[],
    readonly config: Record<string, unknown> = {},
    readonly functions: Record<string, unknown> = {},
  ) {}

  get isVirtual(): boolean {
    return this.kind === VirtualKind.Partition || this.kind === VirtualKind.Union || this.kind === VirtualKind.SideOutput;
  }
}
