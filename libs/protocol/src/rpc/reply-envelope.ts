/** The shape of every reply on the wire: a value, or an error with a stable code. */
import { WireError } from '../errors/wire-error';

export type ReplyEnvelope<T = unknown> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: WireError };

export function isReplyEnvelope(value: unknown): value is ReplyEnvelope {
  if (value === null || typeof value !== 'object') return false;
  const v = value as { ok?: unknown; error?: unknown };
  if (v.ok === true) return 'value' in v;
  return v.ok === false && typeof v.error === 'object' && v.error !== null;
}
