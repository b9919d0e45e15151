import fc from 'fast-check';
import { CheckpointNames, MAX_STATE_NAME_LENGTH, STATE_NAME_PATTERN, encodeStateName } from '../index';
import { CheckpointIds, JobIds } from '../ids/ids';

describe('encodeStateName', () => {
  it('keeps the usual uids as they are (old checkpoint names stay valid)', () => {
    for (const uid of ['source-37e16c0cc3db', 'keyed-reduce-ff9e935e9d41', 'my_op', 'A-1']) expect(encodeStateName(uid)).toBe(uid);
  });

  it('encodes everything else, so no name is a path', () => {
    expect(encodeStateName('../../x')).toBe('~2E~2E~2F~2E~2E~2Fx');
    expect(encodeStateName('.')).toBe('~2E');
    expect(encodeStateName('')).toBe('~');
    expect(CheckpointNames.object(JobIds.parse('a'.repeat(32)), CheckpointIds.parse(1), '../../etc', 0)).toBe(`${'a'.repeat(32)}/chk-1/~2E~2E~2F~2E~2E~2Fetc/0`);
  });

  it('gives safe, bounded names for any string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (uid) => {
        const name = encodeStateName(uid);
        expect(name).toMatch(STATE_NAME_PATTERN);
        expect(name.length).toBeLessThanOrEqual(MAX_STATE_NAME_LENGTH);
        expect(['.', '..']).not.toContain(name);
      }),
    );
  });

  it('is injective (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 }), (a, b) => {
        fc.pre(a !== b);
        expect(encodeStateName(a)).not.toBe(encodeStateName(b));
      }),
    );
    // Near misses: an escape written literally, and long names sharing a head.
    expect(encodeStateName('~2E')).not.toBe(encodeStateName('.'));
    expect(encodeStateName(`${'a'.repeat(200)}1`)).not.toBe(encodeStateName(`${'a'.repeat(200)}2`));
  });
});
