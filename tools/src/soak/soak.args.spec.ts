import { parseSoakArgs, SoakArgsError } from './soak.args';
import { FaultKind } from './fault.injector';

describe('soak arguments', () => {
  it('has defaults and reads every option', () => {
    expect(parseSoakArgs([])).toMatchObject({ minutes: 5, seed: 1, events: 600_000, pauseMinS: 5, pauseMaxS: 20, taskmanagers: 3, keep: false });
    expect(parseSoakArgs(['--minutes', '0.5', '--seed', '9', '--events', '1000', '--pause', '1,2', '--taskmanagers', '4', '--data-dir', '/tmp/x', '--keep'])).toEqual({
      minutes: 0.5, seed: 9, events: 1000, pauseMinS: 1, pauseMaxS: 2, taskmanagers: 4, faults: Object.values(FaultKind), dataDir: '/tmp/x', keep: true, help: false,
    });
  });

  it('takes the kinds of fault to inject, or none', () => {
    expect(parseSoakArgs(['--faults', 'taskmanager,nats']).faults).toEqual([FaultKind.TaskManager, FaultKind.Nats]);
    expect(parseSoakArgs(['--faults', 'none']).faults).toEqual([]);
    expect(() => parseSoakArgs(['--faults', 'taskmanager,disk'])).toThrow(/unknown kind 'disk'/);
  });

  it.each([[['--minutes', '0']], [['--minutes', 'x']], [['--events', '1.5']], [['--pause', '5']], [['--pause', '9,2']], [['--seed', '1.2']], [['--bogus']]])(
    'refuses %j',
    (argv) => {
      expect(() => parseSoakArgs(argv)).toThrow(SoakArgsError);
    },
  );
});
