import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DatabaseSettings, ServiceSettings, loadSettings, natsCredentialsOf, newServiceIdentity } from '../index';

const base = { HTTP_PORT: '0' };

function problemOf(env: Record<string, string>): string {
  try {
    loadSettings(DatabaseSettings, [], { ...base, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('NATS credential settings', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'nats-settings-spec-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads user/password, token, nkey, creds and TLS from env and flags', () => {
    const settings = loadSettings(ServiceSettings, ['--nats-user', 'flagged'], { ...base, NATS_USER: 'u', NATS_PASSWORD: 'p' });
    expect(natsCredentialsOf(settings)).toEqual({ user: 'flagged', password: 'p' });
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, 'pem');
    expect(natsCredentialsOf(loadSettings(ServiceSettings, [], { ...base, NATS_TOKEN: 't', NATS_TLS_CA: ca }))).toEqual({ token: 't', tlsCa: ca });
    expect(natsCredentialsOf(loadSettings(ServiceSettings, [], base))).toEqual({});
  });

  it('refuses at start what cannot work, naming the setting and never the secret', () => {
    const secret = 'sekrit-1234';
    const message = problemOf({ NATS_PASSWORD: secret });
    expect(message).toContain('NATS_PASSWORD = <secret>: NATS_PASSWORD needs NATS_USER');
    expect(message).not.toContain(secret);
    expect(problemOf({ NATS_USER: 'u', NATS_PASSWORD: 'p', NATS_TOKEN: secret })).toContain('NATS_TOKEN = <secret>: give one way of authenticating to NATS, not NATS_USER and NATS_TOKEN');
    expect(problemOf({ NATS_CREDS: join(dir, 'missing.creds') })).toContain(`NATS_CREDS = "${join(dir, 'missing.creds')}": cannot read`);
    expect(problemOf({ NATS_TLS_KEY: join(dir, 'k.pem') })).toContain('NATS_TLS_KEY needs NATS_TLS_CERT');
  });

  it('keeps the credentials on the identity, out of its JSON', () => {
    const settings = loadSettings(ServiceSettings, [], { ...base, NATS_USER: 'u', NATS_PASSWORD: 'sekrit' });
    const identity = newServiceIdentity('dispatcher', join(__dirname, '..'), settings, { database: false });
    expect(identity.natsCredentials).toEqual({ user: 'u', password: 'sekrit' });
    expect(JSON.stringify(identity)).not.toContain('sekrit');
  });
});

describe('configuration errors', () => {
  it('never quote a password inside a URL', () => {
    const message = problemOf({ DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1 :5432/x', NATS_URL: 'nats://u:hunter3@h:4222,localhost' });
    expect(message).toContain('postgres://postgres:***@127.0.0.1 :5432/x');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('hunter3');
  });
});
