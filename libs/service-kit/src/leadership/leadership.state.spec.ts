import { LeadershipState } from './leadership.state';

describe('LeadershipState', () => {
  it('is its own leader without an election, and runs listeners at once', () => {
    const state = new LeadershipState('me');
    const granted = jest.fn();
    state.onGranted(granted);
    expect(granted).toHaveBeenCalledTimes(1);
    expect(state.view()).toMatchObject({ role: 'leader', elected: false, leader: 'me' });
  });

  it('waits as a standby until granted, knowing who leads meanwhile', () => {
    const state = new LeadershipState('me');
    state.enterElection();
    const granted = jest.fn();
    state.onGranted(granted);
    state.noteLeader('other');
    expect(granted).not.toHaveBeenCalled();
    expect(state.isLeader).toBe(false);
    expect(state.grantedAt).toBeUndefined();
    expect(state.view()).toEqual({ role: 'standby', elected: true, leader: 'other' });

    state.grant();
    state.grant();
    expect(granted).toHaveBeenCalledTimes(1);
    expect(state.view()).toMatchObject({ role: 'leader', elected: true, leader: 'me' });
    expect(state.grantedAt).toEqual(expect.any(Number));
  });
});
