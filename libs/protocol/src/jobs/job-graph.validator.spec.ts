import { JobGraphLimits, PROTOCOL_VERSION, SubmitJobRequest, ValidationError, assertValidJobGraph, jobGraphViolations, validateMessage } from '../index';

const vertex = (id: string, extra: Record<string, unknown> = {}) => ({
  id, name: id, parallelism: 2, maxParallelism: 128, slotSharingGroup: 'default', isSource: id === 'src',
  operators: [{ uid: id, name: id, kind: id === 'src' ? 'source' : 'map', inputs: id === 'src' ? 0 : 1, keyed: false, config: {} }], ...extra,
});
const graph = (patch: Record<string, unknown> = {}) => ({
  jobName: 'job', config: { parallelism: 2, maxParallelism: 128 },
  vertices: [vertex('src'), vertex('map')],
  edges: [{ id: 'e0', source: 'src', target: 'map', targetInput: 0, partitioner: 'forward' }],
  ...patch,
});
const fields = (g: unknown, max?: number) => jobGraphViolations(g, max === undefined ? {} : { maxJobParallelism: max }).map((v) => v.field);

describe('JobGraph validation', () => {
  it('accepts a graph as the builder makes it', () => {
    expect(jobGraphViolations(graph())).toEqual([]);
  });

  it('bounds parallelism by maxParallelism and MAX_JOB_PARALLELISM, and maxParallelism by 32768', () => {
    expect(fields(graph({ vertices: [vertex('src', { parallelism: 5e7 }), vertex('map')] }))).toContain('jobGraph.vertices.0.parallelism');
    expect(fields(graph({ vertices: [vertex('src', { parallelism: 200 }), vertex('map')] }))).toContain('jobGraph.vertices.0.parallelism');
    expect(fields(graph({ vertices: [vertex('src', { parallelism: 2, maxParallelism: 40_000 }), vertex('map')] }))).toContain('jobGraph.vertices.0.maxParallelism');
    const wide = graph({ config: { parallelism: 1, maxParallelism: 4096 }, vertices: [vertex('src', { parallelism: 1025, maxParallelism: 4096 })], edges: [] });
    expect(fields(wide, JobGraphLimits.defaultMaxJobParallelism)).toEqual(['jobGraph.vertices.0.parallelism']);
    expect(fields(wide, 2048)).toEqual([]);
    for (const bad of [0, -1, 1.5, '2', null]) expect(fields(graph({ vertices: [vertex('src', { parallelism: bad }), vertex('map')] }))).toContain('jobGraph.vertices.0.parallelism');
  });

  it('takes buffer timeouts of -1..3600000 ms and auto-watermark intervals of 0..3600000 ms', () => {
    expect(fields(graph({ config: { parallelism: 2, maxParallelism: 128, bufferTimeoutMs: -1, autoWatermarkIntervalMs: 0 }, vertices: [vertex('src', { bufferTimeoutMs: 0 }), vertex('map')] }))).toEqual([]);
    for (const bad of [-2, 1.5, '5', 3_600_001]) {
      expect(fields(graph({ config: { parallelism: 2, maxParallelism: 128, bufferTimeoutMs: bad } }))).toEqual(['jobGraph.config.bufferTimeoutMs']);
      expect(fields(graph({ vertices: [vertex('src', { bufferTimeoutMs: bad }), vertex('map')] }))).toEqual(['jobGraph.vertices.0.bufferTimeoutMs']);
      expect(fields(graph({ edges: [{ id: 'e0', source: 'src', target: 'map', targetInput: 0, partitioner: 'forward', bufferTimeoutMs: bad }] }))).toEqual(['jobGraph.edges.0.bufferTimeoutMs']);
    }
    // An edge's own timeout (an output of a branched chain), any value the operator may set.
    for (const ok of [-1, 0, 3_600_000])
      expect(fields(graph({ edges: [{ id: 'e0', source: 'src', target: 'map', targetInput: 0, partitioner: 'forward', bufferTimeoutMs: ok }] }))).toEqual([]);
    expect(fields(graph({ config: { parallelism: 2, maxParallelism: 128, autoWatermarkIntervalMs: -1 } }))).toEqual(['jobGraph.config.autoWatermarkIntervalMs']);
  });

  it('refuses edges to missing vertices, unknown partitioners, duplicate ids and uids, long names, too many vertices', () => {
    expect(fields(graph({ edges: [{ id: 'e0', source: 'src', target: 'nowhere', targetInput: 0, partitioner: 'hash' }] }))).toEqual(['jobGraph.edges.0.target']);
    expect(fields(graph({ edges: [{ id: 'e0', source: 'src', target: 'map', targetInput: 0, partitioner: 'teleport' }] }))).toEqual(['jobGraph.edges.0.partitioner']);
    expect(fields(graph({ vertices: [vertex('src'), vertex('src')] }))).toEqual(expect.arrayContaining(['jobGraph.vertices.1.id', 'jobGraph.vertices.1.operators.0.uid']));
    expect(fields(graph({ vertices: [vertex('src'), vertex('map', { parallelism: 3 })] }))).toEqual(['jobGraph.edges.0.partitioner']);
    expect(fields(graph({ vertices: [vertex('src', { name: 'n'.repeat(5000) }), vertex('map')] }))).toEqual(['jobGraph.vertices.0.name']);
    expect(fields(graph({ vertices: Array.from({ length: JobGraphLimits.vertices + 1 }, (_, i) => vertex(`v${i}`)), edges: [] }))).toEqual(['jobGraph.vertices']);
    expect(fields(graph({ vertices: [], edges: [] }))).toEqual(['jobGraph.vertices']);
    expect(fields('graph')).toEqual(['jobGraph']);
    expect(jobGraphViolations(graph({ vertices: Array.from({ length: 100 }, () => 'x') })).length).toBe(20);
  });

  it('takes chains that branch (chainedFrom an earlier operator) and edges from a named operator of their source vertex', () => {
    const op = (uid: string, extra: Record<string, unknown> = {}) => ({ uid, name: uid, kind: 'map', inputs: 1, keyed: false, config: {}, ...extra });
    const tree = (chainedFrom: unknown[], sourceOperator?: unknown) =>
      graph({
        vertices: [
          vertex('src', { operators: [{ ...op('src'), kind: 'source', inputs: 0 }, ...chainedFrom.map((c, i) => op(`m${i}`, c === undefined ? {} : { chainedFrom: c }))] }),
          vertex('map'),
        ],
        edges: [{ id: 'e0', source: 'src', target: 'map', targetInput: 0, partitioner: 'forward', ...(sourceOperator === undefined ? {} : { sourceOperator }) }],
      });
    expect(fields(tree([0, 0, 2], 'm0'))).toEqual([]);
    expect(fields(tree([undefined, 0], 'src'))).toEqual([]);
    // Not an earlier operator: itself, a later one, out of range, not an integer.
    for (const bad of [2, 3, -1, 0.5, '0', null]) expect(fields(tree([0, bad]))).toEqual(['jobGraph.vertices.0.operators.2.chainedFrom']);
    expect(fields(graph({ vertices: [vertex('src', { operators: [{ ...op('src'), chainedFrom: 0 }] }), vertex('map')] }))).toEqual(['jobGraph.vertices.0.operators.0.chainedFrom']);
    // An operator of another vertex, an unknown one, not a string.
    for (const bad of ['map', 'nope', '', 7]) expect(fields(tree([0], bad))).toEqual(['jobGraph.edges.0.sourceOperator']);
  });

  it('is part of the submitJob message, naming the field', () => {
    const message = { protocolVersion: PROTOCOL_VERSION, jobId: 'a'.repeat(32), jobName: 'j', artifactHash: 'b'.repeat(64), programArgs: [], jobGraphHash: 'c'.repeat(64) };
    expect(() => validateMessage(SubmitJobRequest, { ...message, jobGraph: graph() })).not.toThrow();
    expect(() => validateMessage(SubmitJobRequest, { ...message, jobGraph: graph({ vertices: [vertex('src', { parallelism: 5e7 }), vertex('map')] }) })).toThrow(/jobGraph.vertices.0.parallelism/);
    expect(() => validateMessage(SubmitJobRequest, { ...message, parallelism: 5e7, jobGraph: graph() })).toThrow(ValidationError);
    expect(() => assertValidJobGraph(graph({ edges: 'x' }))).toThrow(/jobGraph.edges/);
  });
});
