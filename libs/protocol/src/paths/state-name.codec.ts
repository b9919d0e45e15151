/**
 * Operator uids (and the vertex ids made of them) may be any string, as in Flink, but never go
 * raw into a file name or an object name. `encodeStateName` maps them, injectively, to names of
 * `A-Z a-z 0-9 _ -` and `~`: those characters stay (so the usual uids read as themselves and old
 * checkpoint names are unchanged for them), every other UTF-8 byte becomes `~XX` (upper-case hex).
 * A name longer than MAX_STATE_NAME_LENGTH keeps a readable head and ends in `~h` + 32 hex
 * characters of its sha256 (`~h` never occurs in a short name: an escape is always `~` + 2 hex
 * digits). No result is empty, `.` or `..`, or holds a `/`.
 */
import { createHash } from 'node:crypto';

export const MAX_STATE_NAME_LENGTH = 128;
const HEAD_LENGTH = 64;
const SAFE_BYTE = (b: number) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f || b === 0x2d;

/** The characters an encoded name is made of. */
export const STATE_NAME_PATTERN = /^[A-Za-z0-9_~-]{1,128}$/;

export function encodeStateName(name: string): string {
  if (name.length === 0) return '~';
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    out += SAFE_BYTE(byte) ? String.fromCharCode(byte) : `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    if (out.length > MAX_STATE_NAME_LENGTH) break;
  }
  if (out.length <= MAX_STATE_NAME_LENGTH) return out;
  let head = out.slice(0, HEAD_LENGTH);
  const lastEscape = head.lastIndexOf('~');
  if (lastEscape > HEAD_LENGTH - 3) head = head.slice(0, lastEscape);
  return `${head}~h${createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 32)}`;
}
