/** A subtask's metric snapshot is numbers only and bounded; anything else is refused with a reason. */
import { metricSnapshotProblem } from './metric-snapshot.validator';

describe('metric snapshot on the wire', () => {
  const good = { at: 1, task: [1, 2], ops: [[1], [2, 3]], user: [{}, { seen: 3 }], hold: { channel: 1, watermark: 5, idle: true, silentMs: 10 } };

  it('accepts a well-formed snapshot', () => {
    expect(metricSnapshotProblem(good)).toBeUndefined();
    expect(metricSnapshotProblem({ ...good, hold: undefined })).toBeUndefined();
  });

  it('refuses strings, unknown fields, too many values and malformed holds', () => {
    expect(metricSnapshotProblem({ ...good, task: ['1'] })).toMatch(/task/);
    expect(metricSnapshotProblem({ ...good, ops: [['x']] })).toMatch(/ops/);
    expect(metricSnapshotProblem({ ...good, user: [{ k: 'v' }] })).toMatch(/user/);
    expect(metricSnapshotProblem({ ...good, task: new Array(65).fill(0) })).toMatch(/task/);
    expect(metricSnapshotProblem({ ...good, extra: 1 })).toMatch(/unknown field extra/);
    expect(metricSnapshotProblem({ ...good, hold: { channel: 1 } })).toMatch(/hold/);
    expect(metricSnapshotProblem([])).toMatch(/object/);
  });
});
