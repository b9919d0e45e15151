import {
  assignToKeyGroup,
  canonicalJson,
  computeOperatorIndexForKeyGroup,
  hashKey,
  keyGroupRangeForSubtask,
} from './key-group.assignment';
import { murmur3_32 } from './murmur3.hash';

describe('key group assignment', () => {
  it('hashes the UTF-8 bytes of string keys with murmur3', () => {
    const bytes = new TextEncoder().encode('user-42');
    expect(assignToKeyGroup('user-42', 128)).toBe(murmur3_32(bytes) % 128);
    expect(assignToKeyGroup('héllo wörld', 128)).toBe(murmur3_32(new TextEncoder().encode('héllo wörld')) % 128);
  });

  it('gives contiguous ranges that partition all key groups, consistent with the operator index', () => {
    for (const [maxP, p] of [
      [128, 1],
      [128, 3],
      [128, 4],
      [10, 7],
      [128, 128],
    ]) {
      let next = 0;
      for (let i = 0; i < p; i++) {
        const r = keyGroupRangeForSubtask(maxP, p, i);
        expect(r.start).toBe(next);
        for (let kg = r.start; kg <= r.end; kg++) expect(computeOperatorIndexForKeyGroup(maxP, p, kg)).toBe(i);
        next = r.end + 1;
      }
      expect(next).toBe(maxP);
    }
  });

  it('the integer and ASCII fast paths hash exactly the UTF-8 bytes of String(key)', () => {
    const utf8Hash = (k: unknown) => murmur3_32(new TextEncoder().encode(typeof k === 'string' ? k : String(k)));
    const ints = [0, -0, 1, -1, 9, 10, 99, 100, 1234567, -987654321, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 + 7, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    for (let i = 0; i < 2000; i++) ints.push(Math.floor((i * 7919) ** 1.7) * (i % 2 ? -1 : 1));
    for (const k of ints) expect([k, hashKey(k)]).toEqual([k, utf8Hash(k)]);
    // Not safe integers, fractions, specials: the text path.
    for (const k of [2 ** 60, 1e21, 0.5, -3.25, NaN, Infinity, -Infinity]) expect([k, hashKey(k)]).toEqual([k, utf8Hash(k)]);
    for (const k of ['', 'a', 'user-42', 'x'.repeat(300), 'héllo', '日本', 'mixed-ascii-é']) expect([k, hashKey(k)]).toEqual([k, utf8Hash(k)]);
  });

  it('canonical JSON sorts keys', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });
});
