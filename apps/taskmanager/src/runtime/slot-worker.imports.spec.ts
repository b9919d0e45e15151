/**
 * A slot worker starts for every deployment and every recovery, so what it loads is on that
 * path: the protocol's barrel (NestJS, class-validator) once cost ~600 of the ~900 ms a new
 * worker took to load. This walks the worker entry's imports in the sources and fails when one
 * of them loads the barrel or a NestJS or class-validator module at run time (`import type`
 * costs nothing and is allowed).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const HEAVY = /^(@runnel\/protocol|@nestjs\/.*|class-validator|class-transformer)$/;
const IMPORT = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gm;

function runtimeImports(entry: string): { file: string; module: string }[] {
  const seen = new Set<string>();
  const heavy: { file: string; module: string }[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const typeOnly = m[2] !== undefined || /^\{\s*(type\s+[\w$]+\s*(,\s*type\s+[\w$]+\s*)*,?)?\}$/.test(m[3].trim());
      if (typeOnly) continue;
      const spec = m[4];
      if (HEAVY.test(spec)) heavy.push({ file, module: spec });
      if (spec.startsWith('.')) {
        const base = resolve(dirname(file), spec);
        const next = [`${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f));
        if (next) visit(next);
      }
    }
  };
  visit(entry);
  return heavy;
}

describe('slot worker imports', () => {
  it('load neither the protocol barrel nor NestJS or class-validator', () => {
    expect(runtimeImports(join(__dirname, 'slot-worker.main.ts'))).toEqual([]);
  });

  it('the check finds such an import (the TaskManager side has them)', () => {
    const found = runtimeImports(join(__dirname, 'task-executor.service.ts'));
    expect(found.some((f) => f.module === '@runnel/protocol' || f.module.startsWith('@nestjs/'))).toBe(true);
  });
});
