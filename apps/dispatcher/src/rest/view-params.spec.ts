import { ValidationError } from '@runnel/protocol';
import { mergeFlameGraphs } from '../jobs/flame-graph.merge';
import { parseCheckpointId, parseDurationMs, parseFlameGraphType, parseIndex, parseLogName, parseOptionalInt, parseVertexId } from './view-params';

describe('view parameters', () => {
  it('accepts well-formed values and refuses the rest with VALIDATION_FAILED', () => {
    expect(parseIndex('3', 'subtaskindex')).toBe(3);
    expect(parseCheckpointId('12')).toBe(12);
    expect(parseLogName('taskmanager-tm-0.log.1')).toBe('taskmanager-tm-0.log.1');
    expect(parseVertexId('cbc357ccb763df2852fee8c4fc7d55f2')).toBe('cbc357ccb763df2852fee8c4fc7d55f2');
    expect(parseDurationMs(undefined, 3000)).toBe(3000);
    expect(parseOptionalInt('20', 'maxExceptions', 1, 10_000)).toBe(20);
    for (const bad of [() => parseIndex('-1', 'i'), () => parseIndex('1e3', 'i'), () => parseCheckpointId('0'), () => parseLogName('../x.log'), () => parseLogName('.env'),
      () => parseLogName('a/b'), () => parseVertexId(''), () => parseVertexId('x'.repeat(256)), () => parseVertexId('a\nb'), () => parseDurationMs('99', 1), () => parseDurationMs('30001', 1),
      () => parseOptionalInt('0', 'maxExceptions', 1, 10)]) {
      expect(bad).toThrow(ValidationError);
    }
  });

  it("reads Flink's flame graph types (FULL by default, ON_CPU) and refuses OFF_CPU, which a V8 profile cannot give", () => {
    expect([parseFlameGraphType(undefined), parseFlameGraphType('FULL'), parseFlameGraphType('on_cpu')]).toEqual(['full', 'full', 'on_cpu']);
    expect(() => parseFlameGraphType('OFF_CPU')).toThrow(/OFF_CPU is not available/);
    expect(() => parseFlameGraphType('MIXED')).toThrow(ValidationError);
  });

  it('merges flame graphs frame by frame', () => {
    const a = { name: 'root', value: 3, children: [{ name: 'slot 0', value: 3, children: [{ name: 'f', value: 2, children: [] }] }] };
    const b = { name: 'root', value: 2, children: [{ name: 'slot 0', value: 1, children: [] }, { name: 'slot 1', value: 1, children: [] }] };
    expect(mergeFlameGraphs([a, b])).toEqual({
      name: 'root', value: 5, children: [{ name: 'slot 0', value: 4, children: [{ name: 'f', value: 2, children: [] }] }, { name: 'slot 1', value: 1, children: [] }],
    });
  });
});
