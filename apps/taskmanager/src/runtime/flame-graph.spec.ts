import type { Profiler } from 'node:inspector';
import { cpuProfileToFlameGraph } from './flame-graph';
import { LinePrefixer } from './task-output.sink';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '1' });

describe('cpuProfileToFlameGraph', () => {
  it('counts samples per frame, a frame holding its callees', () => {
    const profile: Profiler.Profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 4] },
        { id: 2, callFrame: frame('map', 'file:///job.mjs', 9), children: [3] },
        { id: 3, callFrame: frame('parse', 'file:///job.mjs', 19) },
        { id: 4, callFrame: frame('(idle)') },
      ],
      startTime: 0, endTime: 10,
      samples: [2, 3, 3, 3, 4, 4],
      timeDeltas: [1, 1, 1, 1, 1, 1],
    };
    expect(cpuProfileToFlameGraph(profile)).toEqual({
      name: 'root', value: 6, children: [
        { name: 'map (/job.mjs:10)', value: 4, children: [{ name: 'parse (/job.mjs:20)', value: 3, children: [] }] },
        { name: '(idle)', value: 2, children: [] },
      ],
    });
    expect(cpuProfileToFlameGraph(profile, true).value).toBe(4);
  });
});

describe('LinePrefixer', () => {
  it('prefixes whole lines with their task, keeping a partial line for the rest', () => {
    const written: string[] = [];
    const p = new LinePrefixer('stdout', () => 'Map (1/2)', { write: (_s, text) => void written.push(text) });
    p.push('hello\nwor');
    p.push('ld\n');
    p.push('tail');
    p.flush();
    expect(written.join('').replace(/^\S+ /gm, '')).toBe('[Map (1/2)] hello\n[Map (1/2)] world\n[Map (1/2)] tail\n');
  });
});
