import {
  assignToKeyGroup,
  canonicalJson,
  computeOperatorIndexForKeyGroup,
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

  it('canonical JSON sorts keys', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });
});
