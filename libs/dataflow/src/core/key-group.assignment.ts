/**
 * Key groups, exactly like Flink's KeyGroupRangeAssignment: a key maps to one of maxParallelism
 * key groups, and each subtask owns a contiguous range of key groups. Keyed state is stored and
 * snapshotted per key group, which is what lets it be redistributed to another parallelism.
 */
import { murmur3_32 } from './murmur3.hash';

export const DEFAULT_MAX_PARALLELISM = 128;

// Reused scratch buffer: hashing a key must not allocate per record for the common (short string) case.
let scratch = new Uint8Array(256);
const encoder = new TextEncoder();

/** Deterministic text form of a key; primitives map to themselves, objects to canonical JSON. */
export function keyToText(key: unknown): string {
  switch (typeof key) {
    case 'string':
      return key;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(key);
    case 'undefined':
      return 'undefined';
    default:
      return key === null ? 'null' : canonicalJson(key);
  }
}

/** Value under which a key is stored in a Map: primitives as-is, objects by their canonical text. */
export function stateKeyOf(key: unknown): unknown {
  return typeof key === 'object' && key !== null ? canonicalJson(key) : key;
}

export function hashKey(key: unknown): number {
  const text = keyToText(key);
  if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
  const { written } = encoder.encodeInto(text, scratch);
  return murmur3_32(scratch, 0, written ?? 0);
}

export function assignToKeyGroup(key: unknown, maxParallelism: number): number {
  return hashKey(key) % maxParallelism;
}

export function computeOperatorIndexForKeyGroup(maxParallelism: number, parallelism: number, keyGroup: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

export function assignKeyToParallelOperator(key: unknown, maxParallelism: number, parallelism: number): number {
  return computeOperatorIndexForKeyGroup(maxParallelism, parallelism, assignToKeyGroup(key, maxParallelism));
}

/** Inclusive range of key groups [start, end] owned by one subtask. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

export function keyGroupRangeForSubtask(maxParallelism: number, parallelism: number, subtaskIndex: number): KeyGroupRange {
  const start = Math.floor((subtaskIndex * maxParallelism + parallelism - 1) / parallelism);
  const end = Math.floor(((subtaskIndex + 1) * maxParallelism - 1) / parallelism);
  return { start, end };
}

export function keyGroupRangeContains(range: KeyGroupRange, keyGroup: number): boolean {
  return keyGroup >= range.start && keyGroup <= range.end;
}

/** JSON with object keys sorted, so equal values always give identical text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortDeep(v);
    }
    return out;
  }
  return value;
}

export { encoder as utf8Encoder };
