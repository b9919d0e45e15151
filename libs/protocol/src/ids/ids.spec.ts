import { AllocationIds, CheckpointIds, InvalidIdError, JobIds, ResourceIds, SlotIds } from '../index';

describe('branded ids', () => {
  it('generates job ids that look like Flink job ids', () => {
    const id = JobIds.generate();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(JobIds.parse(id)).toBe(id);
    expect(JobIds.generate()).not.toBe(id);
  });

  it.each([['ABCDEF0123456789abcdef0123456789'], ['abc'], [42], [null], ['g'.repeat(32)]])('refuses %p as a JobId', (value) => {
    expect(() => JobIds.parse(value)).toThrow(InvalidIdError);
  });

  it('names the kind and the expected shape in the error', () => {
    expect(() => AllocationIds.parse('x')).toThrow(/Invalid AllocationId "x": expected 32 lower-case hex characters/);
  });

  it('builds and splits slot ids from a resource id and an index', () => {
    const rid = ResourceIds.parse('tm-host.a_1');
    const slot = SlotIds.of(rid, 3);
    expect(slot).toBe('tm-host.a_1#3');
    expect(SlotIds.split(SlotIds.parse(slot))).toEqual({ resourceId: rid, slotIndex: 3 });
    expect(() => SlotIds.of(rid, -1)).toThrow(InvalidIdError);
  });

  it('refuses resource ids that would break a NATS subject', () => {
    for (const bad of ['a b', 'a*', 'a>', '', '-x', 'x'.repeat(129)]) {
      expect(() => ResourceIds.parse(bad)).toThrow(InvalidIdError);
    }
    expect(ResourceIds.generate()).toMatch(/^tm-[0-9a-f]{12}$/);
  });

  it('counts checkpoints from 1', () => {
    expect(CheckpointIds.next(CheckpointIds.first)).toBe(2);
    expect(() => CheckpointIds.parse(0)).toThrow(InvalidIdError);
    expect(() => CheckpointIds.parse(1.5)).toThrow(InvalidIdError);
  });
});
