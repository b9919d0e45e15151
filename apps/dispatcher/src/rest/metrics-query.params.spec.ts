/** Flink's metric query parameters, and the 400s for anything else. */
import { ValidationError } from '@runnel/protocol';
import { parseAgg, parseGet, parseJobs, parseSubtaskIndex, parseSubtasks, parseVertexId } from './metrics-query.params';

describe('metric query parameters', () => {
  it('parses get, agg, subtasks and jobs as Flink writes them', () => {
    expect(parseGet('numRecordsIn, numRecordsOut')).toEqual(['numRecordsIn', 'numRecordsOut']);
    expect(parseGet(undefined)).toBeUndefined();
    expect(parseAgg('sum,max,sum')).toEqual(['sum', 'max']);
    expect(parseSubtasks('0,2-4')).toEqual([0, 2, 3, 4]);
    expect(parseJobs(`${'a'.repeat(32)}`)).toEqual(['a'.repeat(32)]);
    expect(parseSubtaskIndex('3')).toBe(3);
  });

  it('refuses what is not', () => {
    expect(() => parseAgg('median')).toThrow(ValidationError);
    expect(() => parseSubtasks('4-2')).toThrow(ValidationError);
    expect(() => parseSubtasks('x')).toThrow(ValidationError);
    expect(() => parseJobs('nope')).toThrow(ValidationError);
    expect(() => parseSubtaskIndex('-1')).toThrow(ValidationError);
    expect(() => parseSubtaskIndex('99999')).toThrow(ValidationError);
    expect(() => parseGet(Array.from({ length: 201 }, (_, i) => `m${i}`).join(','))).toThrow(ValidationError);
    expect(() => parseGet({ a: 1 })).toThrow(ValidationError);
    expect(() => parseVertexId('../x')).toThrow(ValidationError);
  });
});
