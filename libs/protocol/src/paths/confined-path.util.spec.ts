import fc from 'fast-check';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfinedRoots, ValidationError, confinedJoin, parsePathList, realPathOf, relativePathProblem } from '../index';

describe('confined paths', () => {
  const work = realpathSync(mkdtempSync(join(tmpdir(), 'runnel-confined-')));
  const root = join(work, 'root');
  const other = join(work, 'other');
  mkdirSync(root);
  mkdirSync(other);
  mkdirSync(join(root, 'inner'));
  symlinkSync(other, join(root, 'out'));
  symlinkSync(join(other, 'not-yet'), join(root, 'dangling'));
  symlinkSync(join(root, 'inner'), join(root, 'in'));
  symlinkSync(join(root, 'loop'), join(root, 'loop'));
  const roots = new ConfinedRoots([root], 'SAVEPOINT_DIRS');
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const refusal = (value: unknown): ValidationError => {
    try {
      roots.confine(value, 'targetDirectory');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return error as ValidationError;
    }
    throw new Error(`${String(value)} was accepted`);
  };

  it('accepts the root and paths below it (existing or not), as real paths', () => {
    expect(roots.confine(root, 'd')).toBe(root);
    expect(roots.confine(join(root, 'a', 'b'), 'd')).toBe(join(root, 'a', 'b'));
    expect(roots.confine(`${root}/inner/../x`, 'd')).toBe(join(root, 'x'));
    expect(roots.confine(join(root, 'in', 'sp'), 'd')).toBe(join(root, 'inner', 'sp'));
  });

  it('refuses traversal, siblings sharing a prefix, symlinks out (dangling ones too) and loops, naming the roots', () => {
    for (const escape of [`${root}/../other`, '/etc', `${root}x`, join(root, 'out'), join(root, 'out', 'sp'), join(root, 'dangling'), join(root, 'dangling', 'sp'), join(root, 'loop', 'x'), work]) {
      const error = refusal(escape);
      expect(error.message).toContain(root);
      expect(error.message).toContain('SAVEPOINT_DIRS');
      expect(error.violations[0].field).toBe('targetDirectory');
    }
  });

  it('refuses what is not an absolute path', () => {
    for (const bad of ['', 'relative', '../../etc/passwd', '%2e%2e%2f', `${root}/\u0000`, 'x'.repeat(5000), 42, null, {}]) refusal(bad);
  });

  it('never accepts a path whose real path is outside the root (property)', () => {
    const segment = fc.constantFrom('..', '.', 'out', 'dangling', 'in', 'inner', 'a', '', 'loop');
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 6 }), (segments) => {
        const candidate = [root, ...segments].join('/');
        let accepted: string | undefined;
        try {
          accepted = roots.confine(candidate, 'd');
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
        }
        if (accepted !== undefined) expect(accepted === root || accepted.startsWith(`${root}/`)).toBe(true);
      }),
    );
  });

  it('resolves a dangling symlink to where it points', () => {
    expect(realPathOf(join(root, 'dangling', 'x'))).toBe(join(other, 'not-yet', 'x'));
  });

  it('joins only plain relative paths that stay inside', () => {
    writeFileSync(join(root, 'inner', 'f'), 'x');
    expect(confinedJoin(root, 'inner/f')).toBe(join(root, 'inner', 'f'));
    for (const bad of ['../other', '/etc/passwd', 'inner/../../other', 'out/x', 'dangling', '', '.', 'a//b', 'a\\b', 'x\u0000']) expect(confinedJoin(root, bad)).toBeUndefined();
    expect(relativePathProblem('a/b/c')).toBeUndefined();
  });

  it('parses a :-separated list like PATH', () => {
    expect(parsePathList('/a:/b::/c ')).toEqual(['/a', '/b', '/c']);
    expect(() => new ConfinedRoots(['relative'], 'SAVEPOINT_DIRS')).toThrow(/absolute/);
    expect(new ConfinedRoots(['/a', root], 'X').confine(join(root, 'y'), 'd')).toBe(join(root, 'y'));
  });
});
