import { testingResourceManagerGateway } from '../index';

describe('testing gateways', () => {
  it('runs the overridden handler and records the call', async () => {
    const rm = testingResourceManagerGateway({
      getClusterOverview: async () => ({ taskManagers: 1, slotsTotal: 2, slotsAvailable: 2, jobsRunning: 0, jobsFinished: 0, jobsCancelled: 0, jobsFailed: 0 }),
    });
    expect((await rm.getClusterOverview({})).slotsTotal).toBe(2);
    expect(rm.calls.getClusterOverview).toEqual([{}]);
  });

  it('fails loudly for a method without a handler', async () => {
    const rm = testingResourceManagerGateway();
    await expect(rm.listTaskManagers({})).rejects.toThrow(/no handler for listTaskManagers \(subject runnel.resourcemanager.listTaskManagers\)/);
  });
});
