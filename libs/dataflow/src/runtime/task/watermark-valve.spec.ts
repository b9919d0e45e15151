import { WatermarkValve } from './watermark-valve';

describe('WatermarkValve', () => {
  function valve(n: number) {
    const wms: number[] = [];
    const status: boolean[] = [];
    const v = new WatermarkValve(n, (w) => wms.push(w), (s) => status.push(s));
    return { v, wms, status };
  }

  it('emits the minimum over channels, monotonically', () => {
    const { v, wms } = valve(3);
    v.inputWatermark(0, 10);
    v.inputWatermark(1, 5);
    expect(wms).toEqual([]);
    v.inputWatermark(2, 7);
    expect(wms).toEqual([5]);
    v.inputWatermark(1, 20);
    expect(wms).toEqual([5, 7]);
    v.inputWatermark(2, 30);
    expect(wms).toEqual([5, 7, 10]);
    v.inputWatermark(0, 9); // regressions are ignored
    expect(wms).toEqual([5, 7, 10]);
  });

  it('excludes idle channels; all idle → idle status; activity resumes it', () => {
    const { v, wms, status } = valve(2);
    v.inputWatermark(0, 100);
    v.inputStatus(1, true);
    expect(wms).toEqual([100]);
    v.inputStatus(0, true);
    expect(status).toEqual([true]);
    v.inputWatermark(1, 150);
    expect(status).toEqual([true, false]);
    expect(wms).toEqual([100, 150]);
  });

  it('when the last active channel goes idle, the highest channel watermark is emitted', () => {
    const { v, wms, status } = valve(2);
    v.inputWatermark(0, 24);
    v.inputStatus(0, true); // channel 1 (no watermark yet) is now the only active one
    expect(wms).toEqual([]);
    v.inputStatus(1, true);
    expect(wms).toEqual([24]);
    expect(status).toEqual([true]);
  });

  it('ended channels no longer hold the watermark back', () => {
    const { v, wms } = valve(2);
    v.inputWatermark(0, 10);
    v.endOfPartition(1);
    expect(wms).toEqual([10]);
    v.endOfPartition(0);
    expect(wms).toEqual([10, Number.POSITIVE_INFINITY]);
  });
});
