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

/**
 * murmur3 of the UTF-8 bytes of keyToText(key). Safe integers and ASCII strings (the usual keys)
 * are written into the scratch buffer directly, without building their text or calling the
 * encoder: the bytes, and so the key groups, are exactly those of the general path (savepoints
 * stay compatible; the spec compares both paths).
 */
export function hashKey(key: unknown): number {
  if (typeof key === 'number' && Number.isSafeInteger(key)) return murmur3_32(scratch, 0, writeIntegerDigits(key));
  if (typeof key === 'string' && key.length <= scratch.length) {
    const n = writeAscii(key);
    if (n >= 0) return murmur3_32(scratch, 0, n);
  }
  return hashText(keyToText(key));
}

/** The general path: UTF-8 through the encoder. */
export function hashText(text: string): number {
  if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
  const { written } = encoder.encodeInto(text, scratch);
  return murmur3_32(scratch, 0, written ?? 0);
}

/** Decimal digits of a safe integer, as String(n) gives them (-0 is "0"); returns the length. */
function writeIntegerDigits(n: number): number {
  let len = 0;
  let v = n;
  if (v < 0) {
    scratch[len++] = 45; // '-'
    v = -v;
  }
  const first = len;
  do {
    const q = Math.floor(v / 10);
    scratch[len++] = 48 + (v - q * 10);
    v = q;
  } while (v > 0);
  // Digits were written least significant first: reverse them in place.
  for (let i = first, j = len - 1; i < j; i++, j--) {
    const t = scratch[i];
    scratch[i] = scratch[j];
    scratch[j] = t;
  }
  return len;
}

/** Copies an all-ASCII string into the scratch buffer; -1 when it has another character. */
function writeAscii(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127) return -1;
    scratch[i] = c;
  }
  return s.length;
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
