/**
 * Heap keyed state backend. State lives in tables of key → namespace; every key's entry knows its
 * key group, so a snapshot is "per key group" and can be split across another parallelism on restore.
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

/**
 * The state of one key in one table: the value of the void namespace (what user state uses) in a
 * field, other namespaces in a Map created only when one is used.
 */
interface KeyEntry {
  readonly key: unknown;
  readonly keyGroup: number;
  hasVoid: boolean;
  voidValue: unknown;
  values: Map<string, unknown> | undefined;
}

/** Value wrapper used only when a descriptor has a TTL: `t` is the last-access time. */
interface TtlValue {
  v: unknown;
  t: number;
}

export const VOID_NAMESPACE = '';

function entrySize(e: KeyEntry): number {
  return (e.hasVoid ? 1 : 0) + (e.values?.size ?? 0);
}

function entryGet(e: KeyEntry, namespace: string): unknown {
  return namespace === VOID_NAMESPACE ? (e.hasVoid ? e.voidValue : undefined) : e.values?.get(namespace);
}

/** Every (namespace, value) of an entry, the void namespace first. */
function* entryValues(e: KeyEntry): Generator<[string, unknown]> {
  if (e.hasVoid) yield [VOID_NAMESPACE, e.voidValue];
  if (e.values) yield* e.values;
}

/**
 * One named table of keyed state (a user state or an operator's internal one). One Map from the
 * key (its state key) to its entry, which knows its key group: a read is one Map lookup, or none
 * when the current key is the one of the previous access. Snapshots group the rows by key group.
 */
export class StateTable {
  private readonly entries = new Map<unknown, KeyEntry>();
  /** The entry of the backend's current key, when known (cleared when that entry is dropped). */
  private cachedKey: unknown = undefined;
  private cached: KeyEntry | undefined;
  constructor(
    readonly name: string,
    readonly kind: StateKind | 'internal',
    private readonly backend: KeyedStateBackend,
    readonly ttl?: StateTtlConfig,
  ) {}

  private entry(create: boolean): KeyEntry | undefined {
    const b = this.backend;
    if (b.currentKeyGroup < 0) throw new StateAccessError(`state "${this.name}" accessed outside a keyed context`);
    const sk = b.currentStateKey;
    if (this.cached !== undefined && this.cachedKey === sk) return this.cached;
    let e = this.entries.get(sk);
    if (!e) {
      if (!create) return undefined;
      e = { key: b.currentKey, keyGroup: b.currentKeyGroup, hasVoid: false, voidValue: undefined, values: undefined };
      this.entries.set(sk, e);
    }
    this.cachedKey = sk;
    this.cached = e;
    return e;
  }

  get(namespace = VOID_NAMESPACE): unknown {
    const e = this.entry(false);
    if (!e) return undefined;
    const raw = entryGet(e, namespace);
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
    const v = this.ttl ? ({ v: value, t: this.backend.clock() } satisfies TtlValue) : value;
    if (namespace === VOID_NAMESPACE) {
      e.hasVoid = true;
      e.voidValue = v;
    } else (e.values ??= new Map()).set(namespace, v);
  }

  remove(namespace = VOID_NAMESPACE): void {
    const e = this.entry(false);
    if (!e) return;
    if (namespace === VOID_NAMESPACE) {
      e.hasVoid = false;
      e.voidValue = undefined;
    } else e.values?.delete(namespace);
    if (entrySize(e) === 0) {
      this.entries.delete(this.backend.currentStateKey);
      this.cached = undefined;
    }
  }

  /** Namespaces that hold a value for the current key (window operators list their windows this way). */
  namespaces(): string[] {
    const e = this.entry(false);
    if (!e) return [];
    const out = e.hasVoid ? [VOID_NAMESPACE] : [];
    if (e.values) for (const ns of e.values.keys()) out.push(ns);
    return out;
  }

  snapshot(into: KeyedStateSnapshot): void {
    const now = this.backend.clock();
    for (const e of this.entries.values()) {
      let rows: StateTableSnapshot['rows'] | undefined;
      for (const [ns, raw] of entryValues(e)) {
        if (this.ttl && now - (raw as TtlValue).t >= this.ttl.ttlMs) continue;
        if (rows === undefined) {
          const g = (into.groups[e.keyGroup] ??= { tables: {} });
          rows = (g.tables[this.name] ??= { kind: this.kind, rows: [] }).rows;
        }
        rows.push([e.key, ns, encodeValue(this.kind, raw, !!this.ttl)]);
      }
    }
  }

  restoreRows(kg: number, snap: StateTableSnapshot): void {
    for (const [key, ns, value] of snap.rows) {
      const sk = stateKeyOf(key);
      let e = this.entries.get(sk);
      if (!e) this.entries.set(sk, (e = { key, keyGroup: kg, hasVoid: false, voidValue: undefined, values: undefined }));
      const v = decodeValue(this.kind, value, !!this.ttl);
      if (ns === VOID_NAMESPACE) {
        e.hasVoid = true;
        e.voidValue = v;
      } else (e.values ??= new Map()).set(ns, v);
    }
    this.cached = undefined;
  }

  /** Every key with state here, with its key group. */
  keys(): { key: unknown; keyGroup: number }[] {
    const out: { key: unknown; keyGroup: number }[] = [];
    for (const e of this.entries.values()) out.push({ key: e.key, keyGroup: e.keyGroup });
    return out;
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
    return this.tables.get(tableName)?.keys() ?? [];
  }
}
