/**
 * Keyed state handles and their descriptors. A handle is always scoped to the key of the record
 * (or timer) being processed; descriptors name the state so a snapshot can be matched on restore.
 */
import { InvalidArgumentError } from '../../core/dataflow.errors';

export interface StateTtlConfig {
  readonly ttlMs: number;
  /** When the expiry clock restarts: on create and write (default), or also on read. */
  readonly updateType?: 'on-create-and-write' | 'on-read-and-write';
}

export const StateKind = {
  Value: 'value',
  List: 'list',
  Map: 'map',
  Reducing: 'reducing',
  Aggregating: 'aggregating',
} as const;
export type StateKind = (typeof StateKind)[keyof typeof StateKind];

abstract class StateDescriptorBase {
  abstract readonly kind: StateKind;
  ttl?: StateTtlConfig;
  constructor(readonly name: string) {
    if (typeof name !== 'string' || !name) throw new InvalidArgumentError('a state descriptor needs a non-empty name');
  }
  enableTimeToLive(ttl: StateTtlConfig): this {
    if (!(ttl.ttlMs > 0)) throw new InvalidArgumentError(`state "${this.name}": ttlMs must be > 0`);
    this.ttl = ttl;
    return this;
  }
}

export class ValueStateDescriptor<T> extends StateDescriptorBase {
  readonly kind = StateKind.Value;
  constructor(
    name: string,
    readonly defaultValue?: T,
  ) {
    super(name);
  }
}
export class ListStateDescriptor<T> extends StateDescriptorBase {
  readonly kind = StateKind.List;
  declare readonly __type?: T;
}
export class MapStateDescriptor<UK, UV> extends StateDescriptorBase {
  readonly kind = StateKind.Map;
  declare readonly __type?: [UK, UV];
}
export class ReducingStateDescriptor<T> extends StateDescriptorBase {
  readonly kind = StateKind.Reducing;
  constructor(
    name: string,
    readonly reduce: (a: T, b: T) => T,
  ) {
    super(name);
  }
}
export class AggregatingStateDescriptor<I, ACC, O> extends StateDescriptorBase {
  readonly kind = StateKind.Aggregating;
  constructor(
    name: string,
    readonly aggregate: {
      createAccumulator(): ACC;
      add(value: I, acc: ACC): ACC;
      getResult(acc: ACC): O;
    },
  ) {
    super(name);
  }
}

export type AnyStateDescriptor =
  | ValueStateDescriptor<unknown>
  | ListStateDescriptor<unknown>
  | MapStateDescriptor<unknown, unknown>
  | ReducingStateDescriptor<unknown>
  | AggregatingStateDescriptor<unknown, unknown, unknown>;

export interface ValueState<T> {
  value(): T | undefined;
  update(value: T): void;
  clear(): void;
}
export interface ListState<T> {
  get(): T[];
  add(value: T): void;
  addAll(values: readonly T[]): void;
  update(values: readonly T[]): void;
  clear(): void;
}
export interface MapState<UK, UV> {
  get(key: UK): UV | undefined;
  put(key: UK, value: UV): void;
  contains(key: UK): boolean;
  remove(key: UK): void;
  entries(): [UK, UV][];
  keys(): UK[];
  values(): UV[];
  isEmpty(): boolean;
  clear(): void;
}
export interface ReducingState<T> {
  get(): T | undefined;
  add(value: T): void;
  clear(): void;
}
export interface AggregatingState<I, O> {
  get(): O | undefined;
  add(value: I): void;
  clear(): void;
}
