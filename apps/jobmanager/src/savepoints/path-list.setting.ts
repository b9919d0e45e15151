/** Validation of a `:`-separated list of absolute directories (SAVEPOINT_DIRS). */
import { parsePathList, pathShapeProblem } from '@runnel/protocol';
import { ValidateBy } from 'class-validator';

function pathListProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a :-separated list of absolute directories';
  const paths = parsePathList(value);
  if (paths.length === 0) return 'must name at least one directory';
  for (const p of paths) {
    const problem = pathShapeProblem(p);
    if (problem) return `${JSON.stringify(p)} ${problem}`;
  }
  return undefined;
}

export const IsPathList = () =>
  ValidateBy({
    name: 'isPathList',
    validator: { validate: (value: unknown) => pathListProblem(value) === undefined, defaultMessage: (args) => pathListProblem(args?.value) ?? 'invalid' },
  });
