import { parseSoakArgs, SoakArgsError } from './soak.args';

describe('soak arguments', () => {
  it('has defaults and reads every option', () => {
    expect(parseSoakArgs([])).toMatchObject({ minutes: 5, seed: 1, events: 600_000, pauseMinS: 5, pauseMaxS: 20, taskmanagers: 3, keep: false });
    expect(parseSoakArgs(['--minutes', '0.5', '--seed', '9', '--events', '1000', '--pause', '1,2', '--taskmanagers', '4', '--data-dir', '/tmp/x', '--keep'])).toEqual({
      minutes: 0.5, seed: 9, events: 1000, pauseMinS: 1, pauseMaxS: 2, taskmanagers: 4, dataDir: '/tmp/x', keep: true, help: false,
    });
  });

  it.each([[['--minutes', '0']], [['--minutes', 'x']], [['--events', '1.5']], [['--pause', '5']], [['--pause', '9,2']], [['--seed', '1.2']], [['--bogus']]])(
    'refuses %j',
    (argv) => {
      expect(() => parseSoakArgs(argv)).toThrow(SoakArgsError);
    },
  );
});
