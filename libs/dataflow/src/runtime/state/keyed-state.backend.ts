/**
 * Heap keyed state backend. State lives in tables grouped by key group → key → namespace, so a
 * snapshot is naturally "per key group" and can be split across another parallelism on restore.
 * Handles are created once per descriptor and read the backend's current key on every call,
 * which keeps per-record work to a couple of Map lookups.
 */
import { StateAccessError } from '../../core/dataflow.errors';
import {
  assignToKeyGroup,
  keyGroupRangeContains,
  stateKeyOf,
  type KeyGroupRange,
} from '../../core/key-group.assignment';
import type { KeyedStateSnapshot, StateTableSnapshot } from './state-snapshot.types';
import {
  StateKind,
  type AggregatingState,
  type AggregatingStateDescriptor,
  type AnyStateDescriptor,
  type ListState,
  type ListStateDescriptor,
  type MapState,
  type MapStateDescriptor,
  type ReducingState,
  type ReducingStateDescriptor,
  type StateTtlConfig,
  type ValueState,
  type ValueStateDescriptor,
} from './state.types';

interface KeyEntry {
  key: unknown;
  values: Map<string, unknown>;
}

/** Value wrapper used only when a descriptor has a TTL: `t` is the last-access time. */
interface TtlValue {
  v: unknown;
  t: number;
}

export const VOID_NAMESPACE = '';

/** One named table of keyed state (a user state or an operator's internal one, e.g. window contents). */
export class StateTable {
  readonly groups = new Map<number, Map<unknown, KeyEntry>>();
  constructor(
    readonly name: string,
    readonly kind: StateKind | 'internal',
    private readonly backend: KeyedStateBackend,
    readonly ttl?: StateTtlConfig,
  ) {}

  private entry(create: boolean): KeyEntry | undefined {
    const b = this.backend;
    if (b.currentKeyGroup < 0) throw new StateAccessError(`state "${this.name}" accessed outside a keyed context`);
    let group = this.groups.get(b.currentKeyGroup);
    if (!group) {
      if (!create) return undefined;
      group = new Map();
      this.groups.set(b.currentKeyGroup, group);
    }
    let e = group.get(b.currentStateKey);
    if (!e && create) {
      e = { key: b.currentKey, values: new Map() };
      group.set(b.currentStateKey, e);
    }
    return e;
  }

  get(namespace = VOID_NAMESPACE): unknown {
    const e = this.entry(false);
    if (!e) return undefined;
    const raw = e.values.get(namespace);
    if (raw === undefined || !this.ttl) return raw;
    const w = raw as TtlValue;
    const now = this.backend.clock();
    if (now - w.t >= this.ttl.ttlMs) {
      this.remove(namespace);
      return undefined;
    }
    if (this.ttl.updateType === 'on-read-and-write') w.t = now;
    return w.v;
  }

  put(value: unknown, namespace = VOID_NAMESPACE): void {
    const e = this.entry(true)!;
    e.values.set(namespace, this.ttl ? ({ v: value, t: this.backend.clock() } satisfies TtlValue) : value);
  }

  remove(namespace = VOID_NAMESPACE): void {
    const b = this.backend;
    const group = this.groups.get(b.currentKeyGroup);
    const e = group?.get(b.currentStateKey);
    if (!e) return;
    e.values.delete(namespace);
    if (e.values.size === 0) group!.delete(b.currentStateKey);
  }

  /** Namespaces that hold a value for the current key (window operators list their windows this way). */
  namespaces(): string[] {
    const e = this.entry(false);
    return e ? [...e.values.keys()] : [];
  }

  snapshot(into: KeyedStateSnapshot): void {
    const now = this.backend.clock();
    for (const [kg, group] of this.groups) {
      const rows: StateTableSnapshot['rows'] = [];
      for (const e of group.values()) {
        for (const [ns, raw] of e.values) {
          if (this.ttl && now - (raw as TtlValue).t >= this.ttl.ttlMs) continue;
          rows.push([e.key, ns, encodeValue(this.kind, raw, !!this.ttl)]);
        }
      }
      if (rows.length === 0) continue;
      const g = (into.groups[kg] ??= { tables: {} });
      g.tables[this.name] = { kind: this.kind, rows };
    }
  }

  restoreRows(kg: number, snap: StateTableSnapshot): void {
    let group = this.groups.get(kg);
    if (!group) this.groups.set(kg, (group = new Map()));
    for (const [key, ns, value] of snap.rows) {
      const sk = stateKeyOf(key);
      let e = group.get(sk);
      if (!e) group.set(sk, (e = { key, values: new Map() }));
      e.values.set(ns, decodeValue(this.kind, value, !!this.ttl));
    }
  }
}

// Map state keeps a JS Map in memory; snapshots hold plain arrays so msgpackr/JSON can encode them.
function encodeValue(kind: StateTable['kind'], raw: unknown, ttl: boolean): unknown {
  if (kind !== StateKind.Map) return raw;
  if (ttl) {
    const w = raw as TtlValue;
    return { v: [...(w.v as Map<unknown, [unknown, unknown]>).values()], t: w.t };
  }
  return [...(raw as Map<unknown, [unknown, unknown]>).values()];
}
function decodeValue(kind: StateTable['kind'], value: unknown, ttl: boolean): unknown {
  if (kind !== StateKind.Map) return value;
  const toMap = (rows: [unknown, unknown][]) => new Map(rows.map(([k, v]) => [stateKeyOf(k), [k, v]]));
  if (ttl) {
    const w = value as { v: [unknown, unknown][]; t: number };
    return { v: toMap(w.v), t: w.t };
  }
  return toMap(value as [unknown, unknown][]);
}

export class KeyedStateBackend {
  currentKey: unknown = undefined;
  currentStateKey: unknown = undefined;
  currentKeyGroup = -1;
  private readonly tables = new Map<string, StateTable>();
  private readonly handles = new Map<string, unknown>();

  constructor(
    readonly maxParallelism: number,
    readonly keyGroupRange: KeyGroupRange,
    /** Processing-time clock, used for state TTL. */
    readonly clock: () => number = Date.now,
  ) {}

  setCurrentKey(key: unknown): void {
    if (key === this.currentKey && this.currentKeyGroup >= 0) return;
    this.currentKey = key;
    this.currentStateKey = stateKeyOf(key);
    this.currentKeyGroup = assignToKeyGroup(key, this.maxParallelism);
  }

  /** Used by timers, which remember the key group to avoid hashing again. */
  setCurrentKeyWithGroup(key: unknown, keyGroup: number, stateKey: unknown = stateKeyOf(key)): void {
    this.currentKey = key;
    this.currentStateKey = stateKey;
    this.currentKeyGroup = keyGroup;
  }

  table(name: string, kind: StateTable['kind'], ttl?: StateTtlConfig): StateTable {
    let t = this.tables.get(name);
    if (!t) {
      t = new StateTable(name, kind, this, ttl);
      this.tables.set(name, t);
    } else if (t.kind !== kind) {
      throw new StateAccessError(`state "${name}" is already registered as ${t.kind}, not ${kind}`);
    }
    return t;
  }

  getState<T>(d: ValueStateDescriptor<T>): ValueState<T> {
    return this.handle(d, (t) => ({
      value: () => (t.get() ?? d.defaultValue) as T | undefined,
      update: (v: T) => t.put(v),
      clear: () => t.remove(),
    }));
  }

  getListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    return this.handle(d, (t) => ({
      get: () => ((t.get() as T[] | undefined) ?? []).slice(),
      add: (v: T) => {
        const cur = t.get() as T[] | undefined;
        if (cur) {
          cur.push(v);
          if (t.ttl) t.put(cur);
        } else t.put([v]);
      },
      addAll: (vs: readonly T[]) => {
        const cur = (t.get() as T[] | undefined) ?? [];
        t.put(cur.concat(vs));
      },
      update: (vs: readonly T[]) => (vs.length ? t.put(vs.slice()) : t.remove()),
      clear: () => t.remove(),
    }));
  }

  getMapState<UK, UV>(d: MapStateDescriptor<UK, UV>): MapState<UK, UV> {
    return this.handle(d, (t) => {
      const map = () => t.get() as Map<unknown, [UK, UV]> | undefined;
      return {
        get: (k: UK) => map()?.get(stateKeyOf(k))?.[1],
        put: (k: UK, v: UV) => {
          const m = map() ?? new Map<unknown, [UK, UV]>();
          m.set(stateKeyOf(k), [k, v]);
          t.put(m);
        },
        contains: (k: UK) => map()?.has(stateKeyOf(k)) ?? false,
        remove: (k: UK) => {
          const m = map();
          if (!m) return;
          m.delete(stateKeyOf(k));
          if (m.size === 0) t.remove();
          else t.put(m);
        },
        entries: () => [...(map()?.values() ?? [])].map(([k, v]) => [k, v] as [UK, UV]),
        keys: () => [...(map()?.values() ?? [])].map(([k]) => k),
        values: () => [...(map()?.values() ?? [])].map(([, v]) => v),
        isEmpty: () => (map()?.size ?? 0) === 0,
        clear: () => t.remove(),
      };
    });
  }

  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.handle(d, (t) => ({
      get: () => t.get() as T | undefined,
      add: (v: T) => {
        const cur = t.get() as T | undefined;
        t.put(cur === undefined ? v : d.reduce(cur, v));
      },
      clear: () => t.remove(),
    }));
  }

  getAggregatingState<I, ACC, O>(d: AggregatingStateDescriptor<I, ACC, O>): AggregatingState<I, O> {
    return this.handle(d, (t) => ({
      get: () => {
        const acc = t.get() as ACC | undefined;
        return acc === undefined ? undefined : d.aggregate.getResult(acc);
      },
      add: (v: I) => {
        const acc = (t.get() as ACC | undefined) ?? d.aggregate.createAccumulator();
        t.put(d.aggregate.add(v, acc));
      },
      clear: () => t.remove(),
    }));
  }

  private handle<H>(d: AnyStateDescriptor | { name: string; kind: StateKind; ttl?: StateTtlConfig }, make: (t: StateTable) => H): H {
    const existing = this.handles.get(d.name);
    if (existing) {
      this.table(d.name, d.kind);
      return existing as H;
    }
    const h = make(this.table(d.name, d.kind, d.ttl));
    this.handles.set(d.name, h);
    return h;
  }

  snapshot(into: KeyedStateSnapshot = { groups: {} }): KeyedStateSnapshot {
    for (const t of this.tables.values()) t.snapshot(into);
    return into;
  }

  /** Loads the key groups of `snapshot` that fall in this backend's range; other groups are ignored. */
  restore(snapshot: KeyedStateSnapshot): void {
    for (const [kgText, group] of Object.entries(snapshot.groups)) {
      const kg = Number(kgText);
      if (!keyGroupRangeContains(this.keyGroupRange, kg)) continue;
      for (const [name, snap] of Object.entries(group.tables)) {
        const existing = this.tables.get(name);
        const t = existing ?? this.table(name, snap.kind as StateKind | 'internal');
        t.restoreRows(kg, snap);
      }
    }
  }

  /** Descriptors with TTL registered after restore must keep their TTL: re-register on first use. */
  adoptTtl(name: string, ttl: StateTtlConfig | undefined): void {
    const t = this.tables.get(name);
    if (t && ttl && !t.ttl) (t as { ttl?: StateTtlConfig }).ttl = ttl;
  }

  /** All keys with state in `tableName` (used on end-of-input by processing-time operators). */
  keysOf(tableName: string): { key: unknown; keyGroup: number }[] {
    const t = this.tables.get(tableName);
    const out: { key: unknown; keyGroup: number }[] = [];
    if (!t) return out;
    for (const [kg, group] of t.groups) for (const e of group.values()) out.push({ key: e.key, keyGroup: kg });
    return out;
  }
}
