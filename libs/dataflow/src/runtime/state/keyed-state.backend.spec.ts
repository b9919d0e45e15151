import { encode, decode } from 'msgpackr';
import { assignToKeyGroup, keyGroupRangeForSubtask } from '../../core/key-group.assignment';
import { KeyedStateBackend } from './keyed-state.backend';
import { redistributeKeyedState } from './state-redistribution';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from './state.types';

const full = (maxP = 128) => keyGroupRangeForSubtask(maxP, 1, 0);

describe('KeyedStateBackend', () => {
  it('scopes every kind of state to the current key', () => {
    const b = new KeyedStateBackend(128, full());
    const value = b.getState(new ValueStateDescriptor<number>('v', 0));
    const list = b.getListState(new ListStateDescriptor<string>('l'));
    const map = b.getMapState(new MapStateDescriptor<string, number>('m'));
    const red = b.getReducingState(new ReducingStateDescriptor<number>('r', (a, c) => a + c));
    const agg = b.getAggregatingState(
      new AggregatingStateDescriptor<number, { s: number; n: number }, number>('a', {
        createAccumulator: () => ({ s: 0, n: 0 }),
        add: (v, acc) => ({ s: acc.s + v, n: acc.n + 1 }),
        getResult: (acc) => acc.s / acc.n,
      }),
    );
    b.setCurrentKey('alice');
    expect(value.value()).toBe(0);
    value.update(5);
    list.add('x');
    list.addAll(['y', 'z']);
    map.put('p', 1);
    map.put('q', 2);
    red.add(3);
    red.add(4);
    agg.add(2);
    agg.add(4);
    b.setCurrentKey({ user: 'bob' });
    expect(value.value()).toBe(0);
    expect(list.get()).toEqual([]);
    expect(map.isEmpty()).toBe(true);
    expect(red.get()).toBeUndefined();
    expect(agg.get()).toBeUndefined();
    value.update(9);
    b.setCurrentKey('alice');
    expect(value.value()).toBe(5);
    expect(list.get()).toEqual(['x', 'y', 'z']);
    expect(map.entries()).toEqual([
      ['p', 1],
      ['q', 2],
    ]);
    expect(map.get('q')).toBe(2);
    map.remove('p');
    expect(map.keys()).toEqual(['q']);
    expect(red.get()).toBe(7);
    expect(agg.get()).toBe(3);
    list.update([]);
    expect(list.get()).toEqual([]);
    value.clear();
    expect(value.value()).toBe(0);
  });

  it('TTL: values expire after ttlMs (on-create-and-write vs on-read-and-write)', () => {
    let now = 1000;
    const b = new KeyedStateBackend(128, full(), () => now);
    const v = b.getState(new ValueStateDescriptor<string>('v').enableTimeToLive({ ttlMs: 100 }));
    const r = b.getState(new ValueStateDescriptor<string>('r').enableTimeToLive({ ttlMs: 100, updateType: 'on-read-and-write' }));
    const m = b.getMapState(new MapStateDescriptor<string, number>('m').enableTimeToLive({ ttlMs: 100 }));
    b.setCurrentKey('k');
    v.update('a');
    r.update('b');
    m.put('x', 1);
    now = 1080;
    expect(v.value()).toBe('a');
    expect(r.value()).toBe('b'); // refreshes r
    now = 1100;
    expect(v.value()).toBeUndefined();
    expect(m.get('x')).toBeUndefined();
    expect(r.value()).toBe('b');
    now = 1200;
    expect(r.value()).toBeUndefined();
    // Expired entries are not snapshotted.
    expect(b.snapshot().groups).toEqual({});
  });

  it('snapshots group state by key group; msgpackr round trip restores it', () => {
    const b = new KeyedStateBackend(16, full(16));
    const v = b.getState(new ValueStateDescriptor<number>('count'));
    const m = b.getMapState(new MapStateDescriptor<number, string>('names'));
    for (let i = 0; i < 50; i++) {
      b.setCurrentKey(`key-${i}`);
      v.update(i);
      m.put(i, `n${i}`);
    }
    const snap = b.snapshot();
    for (const [kg, g] of Object.entries(snap.groups)) {
      for (const [key] of g.tables['count'].rows) expect(assignToKeyGroup(key, 16)).toBe(Number(kg));
    }
    const restored = new KeyedStateBackend(16, full(16));
    restored.restore(decode(encode(snap)));
    const v2 = restored.getState(new ValueStateDescriptor<number>('count'));
    const m2 = restored.getMapState(new MapStateDescriptor<number, string>('names'));
    for (let i = 0; i < 50; i++) {
      restored.setCurrentKey(`key-${i}`);
      expect(v2.value()).toBe(i);
      expect(m2.get(i)).toBe(`n${i}`);
    }
  });

  it('redistributes snapshots from parallelism 3 to 2 and 5 without losing or duplicating keys', () => {
    const maxP = 32;
    const keys = Array.from({ length: 300 }, (_, i) => `u${i}`);
    // Build state at parallelism 3, each subtask holding only its keys.
    const snaps = [0, 1, 2].map((i) => {
      const range = keyGroupRangeForSubtask(maxP, 3, i);
      const b = new KeyedStateBackend(maxP, range);
      const s = b.getState(new ValueStateDescriptor<string>('s'));
      for (const k of keys) {
        const kg = assignToKeyGroup(k, maxP);
        if (kg < range.start || kg > range.end) continue;
        b.setCurrentKey(k);
        s.update(k.toUpperCase());
      }
      return b.snapshot();
    });
    for (const p of [2, 5]) {
      const parts = redistributeKeyedState(snaps, maxP, p);
      const seen = new Map<string, number>();
      parts.forEach((part, i) => {
        const b = new KeyedStateBackend(maxP, keyGroupRangeForSubtask(maxP, p, i));
        b.restore(part);
        const s = b.getState(new ValueStateDescriptor<string>('s'));
        for (const k of keys) {
          b.setCurrentKey(k);
          const val = s.value();
          if (val !== undefined) {
            expect(val).toBe(k.toUpperCase());
            seen.set(k, (seen.get(k) ?? 0) + 1);
          }
        }
      });
      expect(seen.size).toBe(keys.length);
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
    }
  });
});
