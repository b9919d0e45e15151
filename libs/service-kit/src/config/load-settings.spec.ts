import { IsInt, Max, Min } from 'class-validator';
import { ConfigError, DatabaseSettings, HttpPortSetting, loadSettings, Setting } from '../index';

class TestSettings extends DatabaseSettings {
  @HttpPortSetting(8099) override httpPort!: number;

  @Setting({ env: 'TM_SLOTS', flag: 'slots', default: 2, description: 'slots' })
  @IsInt({ message: 'must be a whole number' }) @Min(1) @Max(64)
  slots!: number;
}

const baseEnv = { HTTP_PORT: '0' };

describe('loadSettings', () => {
  it('takes defaults, then env vars, then flags', () => {
    expect(loadSettings(TestSettings, [], baseEnv)).toMatchObject({ slots: 2, natsUrl: 'nats://127.0.0.1:4222', logLevel: 'info', httpPort: 0 });
    expect(loadSettings(TestSettings, [], { ...baseEnv, TM_SLOTS: '5' }).slots).toBe(5);
    expect(loadSettings(TestSettings, ['--slots', '7'], { ...baseEnv, TM_SLOTS: '5' }).slots).toBe(7);
  });

  it('says which setting is wrong, where it came from and why', () => {
    const error = (() => {
      try {
        loadSettings(TestSettings, ['--slots', 'many'], { ...baseEnv, NATS_URL: 'localhost', LOG_LEVEL: 'loud' });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected ConfigError');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('--slots: "many" is not a number');
    expect(error.message).toContain('NATS_URL = "localhost": must be nats://host:port');
    expect(error.message).toMatch(/LOG_LEVEL = "loud": logLevel must be one of the following values/);
  });

  it('refuses values out of range and unknown flags', () => {
    expect(() => loadSettings(TestSettings, ['--slots', '0'], baseEnv)).toThrow(/--slots = 0: slots must not be less than 1/);
    expect(() => loadSettings(TestSettings, ['--slot', '3'], baseEnv)).toThrow(/Unknown option '--slot'/);
    expect(loadSettings(TestSettings, [], {}).httpPort).toBe(8099);
    expect(() => loadSettings(TestSettings, [], { HTTP_PORT: '70000' })).toThrow(/HTTP_PORT = 70000: httpPort must not be greater than 65535/);
  });

  it('reads the leader lease (default 10 s) and refuses one too short to refresh', () => {
    expect(loadSettings(TestSettings, [], baseEnv).leaderLeaseMs).toBe(15_000);
    expect(loadSettings(TestSettings, [], baseEnv).jetStreamReplicas).toBe(1);
    expect(loadSettings(TestSettings, [], { ...baseEnv, JETSTREAM_REPLICAS: '3' }).jetStreamReplicas).toBe(3);
    expect(() => loadSettings(TestSettings, [], { ...baseEnv, JETSTREAM_REPLICAS: '7' })).toThrow(/JETSTREAM_REPLICAS/);
    expect(loadSettings(TestSettings, [], { ...baseEnv, LEADER_LEASE_MS: '1500' }).leaderLeaseMs).toBe(1500);
    expect(() => loadSettings(TestSettings, [], { ...baseEnv, LEADER_LEASE_MS: '50' })).toThrow(/LEADER_LEASE_MS = 50: leaderLeaseMs must not be less than 300/);
    expect(() => loadSettings(TestSettings, [], { ...baseEnv, LEADER_LEASE_MS: 'soon' })).toThrow(/LEADER_LEASE_MS: "soon" is not a number/);
  });
});
