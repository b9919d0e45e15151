/** Flink's REST shapes and rules over metric values: list, get, aggregates, value strings, back-pressure levels. */
import { OPERATOR_METRICS, TASK_METRICS, type JobVertex } from '@runnel/dataflow';
import { backPressureLevel } from './back-pressure.view';
import { metricValueString, operatorSegment, subtaskMetricMap } from './metric-ids';
import { aggregate, listOrGet } from './metric-query';

describe('metric queries', () => {
  const a = new Map([['numRecordsIn', 10], ['numRecordsOut', 4]]);
  const b = new Map([['numRecordsIn', 30]]);

  it('lists ids without get, values with get, and leaves unknown ids out', () => {
    expect(listOrGet(a, undefined)).toEqual([{ id: 'numRecordsIn' }, { id: 'numRecordsOut' }]);
    expect(listOrGet(a, ['numRecordsOut', 'nope'])).toEqual([{ id: 'numRecordsOut', value: '4' }]);
  });

  it('aggregates over sources, only the aggregates asked for', () => {
    expect(aggregate([a, b], ['numRecordsIn'], undefined)).toEqual([{ id: 'numRecordsIn', min: 10, max: 30, avg: 20, sum: 40 }]);
    expect(aggregate([a, b], ['numRecordsIn', 'numRecordsOut'], ['sum'])).toEqual([{ id: 'numRecordsIn', sum: 40 }, { id: 'numRecordsOut', sum: 4 }]);
    expect(aggregate([a, b], undefined, ['sum'])).toEqual([{ id: 'numRecordsIn' }, { id: 'numRecordsOut' }]);
  });

  it('prints watermark sentinels as the exact longs Flink shows', () => {
    expect(metricValueString(-(2 ** 63))).toBe('-9223372036854775808');
    expect(metricValueString(2 ** 63)).toBe('9223372036854775807');
    expect(metricValueString(12.34567)).toBe('12.346');
    expect(metricValueString(7)).toBe('7');
  });

  it('grades back pressure like Flink: ok ≤ 0.10 < low ≤ 0.5 < high', () => {
    expect([0, 0.1, 0.11, 0.5, 0.51, 1].map(backPressureLevel)).toEqual(['ok', 'ok', 'low', 'low', 'high', 'high']);
  });

  it('names operator metrics <operator>.<metric> with Flink-sanitised operator names', () => {
    expect(operatorSegment('Source: Nexmark Generator')).toBe('Source__Nexmark_Generator');
    const vertex = { operators: [{ name: 'Source: X' }, { name: 'Bids' }] } as unknown as JobVertex;
    const snapshot = {
      at: 0,
      task: TASK_METRICS.map((_, i) => i),
      ops: [OPERATOR_METRICS.map(() => 1), OPERATOR_METRICS.map(() => 2)],
      user: [{}, { seen: 9 }],
    };
    const m = subtaskMetricMap(vertex, snapshot);
    expect(m.get('numRecordsOut')).toBe(TASK_METRICS.indexOf('numRecordsOut'));
    expect(m.get('Source__X.numRecordsIn')).toBe(1);
    expect(m.get('Bids.numLateRecordsDropped')).toBe(2);
    expect(m.get('Bids.seen')).toBe(9);
  });
});
