import { ConfigError, DatabaseSettings, loadSettings, ServiceSettings } from '../index';

const load = (argv: string[], env: Record<string, string>) => loadSettings(DatabaseSettings, argv, { HTTP_PORT: '0', ...env });

function configError(call: () => unknown): ConfigError {
  try {
    call();
  } catch (e) {
    return e as ConfigError;
  }
  throw new Error('expected ConfigError');
}

describe('CLUSTER_ID', () => {
  it('is `default` unless given, by env or flag (the flag wins)', () => {
    expect(load([], {}).clusterId).toBe('default');
    expect(load([], { CLUSTER_ID: 'a' }).clusterId).toBe('a');
    expect(load(['--cluster-id', 'b'], { CLUSTER_ID: 'a' }).clusterId).toBe('b');
    expect(loadSettings(ServiceSettings, [], { HTTP_PORT: '0', CLUSTER_ID: 'blue-2' }).clusterId).toBe('blue-2');
  });

  it('refuses an invalid id, naming the setting, where it came from and why', () => {
    const fromEnv = configError(() => load([], { CLUSTER_ID: 'Team.A' }));
    expect(fromEnv).toBeInstanceOf(ConfigError);
    expect(fromEnv.message).toContain('CLUSTER_ID = "Team.A": expected 1 to 32 lower-case letters, digits, "_" or "-", starting with a letter or digit');
    expect(configError(() => load(['--cluster-id', 'taskmanager'], {})).message).toContain('--cluster-id = "taskmanager": it is reserved');
    expect(configError(() => load(['--cluster-id', 'x'.repeat(33)], {})).message).toContain('--cluster-id = ');
  });

  it('names the default database runnel_<id> for another cluster, and leaves an explicit DATABASE_URL alone', () => {
    expect(load([], {}).databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/runnel');
    expect(load([], { CLUSTER_ID: 'default' }).databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/runnel');
    expect(load([], { CLUSTER_ID: 'a' }).databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/runnel_a');
    expect(load(['--cluster-id', 'b-2'], {}).databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/runnel_b-2');
    expect(load([], { CLUSTER_ID: 'a', DATABASE_URL: 'postgres://u@db:5432/mine' }).databaseUrl).toBe('postgres://u@db:5432/mine');
  });

  it('shows both in the usage text', () => {
    const message = configError(() => load(['--nope'], {})).message;
    expect(message).toContain('--cluster-id / CLUSTER_ID (default default)');
    expect(message).toContain('--database-url / DATABASE_URL (default postgres://postgres@127.0.0.1:5432/runnel)');
  });
});
