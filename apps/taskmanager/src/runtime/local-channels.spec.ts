import { JobIds, ResourceIds } from '@runnel/protocol';
import { LocalChannelRegistry } from './local-channels';
import type { Deployment } from './task-runner';

// Source "src" (p=2) → keyed "win" (p=2). Subtask 0 of both is in slot A of tm-1, src 1 in slot B
// of tm-1, win 1 on tm-2.
const base = {
  jobId: JobIds.parse('a'.repeat(32)),
  attempt: 0,
  edges: [{ index: 0, source: 'src', target: 'win', forward: false }],
  locations: { src: ['tm-1', 'tm-1'], win: ['tm-1', 'tm-2'] },
  slots: { src: ['A', 'B'], win: ['A', 'C'] },
};
const deployment = (vertexId: string, subtaskIndex: number, allocationId: string, withSlots = true) =>
  ({ ...base, vertexId, subtaskIndex, allocationId, ...(withSlots ? {} : { slots: undefined }) }) as unknown as Deployment;

describe('LocalChannelRegistry', () => {
  it('gives channels within one slot no port, those to another slot of this TaskManager a port, and others nothing', () => {
    const registry = new LocalChannelRegistry(ResourceIds.parse('tm-1'));
    const src0 = registry.portsFor(deployment('src', 0, 'A'));
    expect(src0.out).toEqual([{ edgeIndex: 0, partition: 0 }]); // win 0: same slot; win 1: another TaskManager
    const win0 = registry.portsFor(deployment('win', 0, 'A'));
    expect(win0.in.map((p) => [p.source, p.port === undefined])).toEqual([
      [0, true], // src 0, same slot
      [1, false], // src 1, slot B: a MessagePort
    ]);
    const src1 = registry.portsFor(deployment('src', 1, 'B'));
    expect(src1.out.map((p) => [p.partition, p.port !== undefined])).toEqual([[0, true]]);
    win0.in[1].port!.close();
    src1.out[0].port!.close();
  });

  it('without slot locations (an older JobManager) every local channel gets a port', () => {
    const registry = new LocalChannelRegistry(ResourceIds.parse('tm-1'));
    const out = registry.portsFor(deployment('src', 0, 'A', false)).out;
    expect(out.map((p) => [p.partition, p.port !== undefined])).toEqual([[0, true]]);
    registry.releaseJob(base.jobId);
  });
});
