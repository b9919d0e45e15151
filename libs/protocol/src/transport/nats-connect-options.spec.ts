import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  NatsCredentialsError, describeNatsCredentials, explainNatsConnectError, isNatsTlsError, natsConnectOptions, natsCredentialProblems, natsCredentialsFromEnv,
  natsCredentialsToEnv, redactNatsUrls,
} from './nats-connect-options';

describe('NATS credentials', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'nats-creds-spec-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the NATS_* variables (and a prefix), ignoring empty ones', () => {
    const env = { NATS_USER: 'u', NATS_PASSWORD: 'p', NATS_TOKEN: '', TM_NATS_TOKEN: 't', NATS_TLS_CA: '/ca.pem' };
    expect(natsCredentialsFromEnv(env)).toEqual({ user: 'u', password: 'p', tlsCa: '/ca.pem' });
    expect(natsCredentialsFromEnv(env, 'TM_')).toEqual({ token: 't' });
    expect(natsCredentialsToEnv({ user: 'u', password: 'p' })).toMatchObject({ NATS_USER: 'u', NATS_PASSWORD: 'p', NATS_TOKEN: undefined, NATS_CREDS: undefined });
  });

  it('maps user/password, token and TLS onto nats.js options', () => {
    expect(natsConnectOptions({ user: 'u', password: 'p' })).toEqual({ user: 'u', pass: 'p' });
    expect(natsConnectOptions({ token: 't' })).toEqual({ token: 't' });
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, 'x');
    expect(natsConnectOptions({ tlsCa: ca })).toEqual({ tls: { caFile: ca } });
    expect(natsConnectOptions(undefined)).toEqual({});
  });

  it('builds an authenticator from an nkey seed file and from a .creds file', () => {
    const seed = join(dir, 'user.nk');
    writeFileSync(seed, `SUAM${'A'.repeat(54)}\n`);
    expect(typeof natsConnectOptions({ nkeySeedFile: seed }).authenticator).toBe('function');
    const creds = join(dir, 'user.creds');
    writeFileSync(creds, '-----BEGIN NATS USER JWT-----\neyJ0\n------END NATS USER JWT------\n');
    expect(typeof natsConnectOptions({ credsFile: creds }).authenticator).toBe('function');
  });

  it('says what is wrong, per credential, without secrets', () => {
    const problems = natsCredentialProblems({ password: 'sekrit', token: 'tok', tlsCert: join(dir, 'missing.pem') });
    const text = JSON.stringify(problems);
    expect(problems.map((p) => p.key).sort()).toEqual(['password', 'tlsCert', 'tlsCert']);
    expect(text).toContain('NATS_PASSWORD needs NATS_USER');
    expect(text).toContain('NATS_TLS_CERT needs NATS_TLS_KEY');
    expect(text).toContain('no such file');
    expect(text).not.toContain('sekrit');
    expect(natsCredentialProblems({ user: 'u', password: 'p', token: 't' })).toEqual([
      { key: 'token', message: 'give one way of authenticating to NATS, not NATS_USER and NATS_TOKEN' },
    ]);
    const notSeed = join(dir, 'not-a-seed');
    writeFileSync(notSeed, 'hello');
    expect(natsCredentialProblems({ nkeySeedFile: notSeed })[0]?.message).toContain('does not hold a user nkey seed');
    expect(() => natsConnectOptions({ password: 'sekrit' })).toThrow(NatsCredentialsError);
  });

  it('turns an authorization violation into a message that names the user, never the password', () => {
    const refused = Object.assign(new Error("'Authorization Violation'"), { code: 'AUTHORIZATION_VIOLATION' });
    const explained = explainNatsConnectError(refused, { user: 'services', password: 'sekrit' }) as Error;
    expect(explained).toBeInstanceOf(NatsCredentialsError);
    expect(explained.message).toBe('NATS refused the credentials (NATS_USER=services): authorization violation');
    expect(describeNatsCredentials({ token: 'sekrit' })).toBe('NATS_TOKEN');
    expect(describeNatsCredentials({})).toContain('no credentials given');
    const other = Object.assign(new Error('x'), { code: 'CONNECTION_REFUSED' });
    expect(explainNatsConnectError(other, {})).toBe(other);
  });

  it('redacts passwords and tokens in server URLs', () => {
    expect(redactNatsUrls('nats://u:p@h:4222,nats://tok@h2:4222,nats://h3:4222')).toBe('nats://u:***@h:4222,nats://***@h2:4222,nats://h3:4222');
  });
});

describe('NATS TLS failures', () => {
  const tlsError = (code: string) => Object.assign(new Error('unable to verify the first certificate'), { code });

  it('are told apart from an unreachable server, and explained without secrets', () => {
    expect(isNatsTlsError(tlsError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'))).toBe(true);
    expect(isNatsTlsError(tlsError('ERR_TLS_CERT_ALTNAME_INVALID'))).toBe(true);
    expect(isNatsTlsError(tlsError('CONNECTION_REFUSED'))).toBe(false);
    expect(isNatsTlsError(undefined)).toBe(false);
    const explained = explainNatsConnectError(tlsError('SELF_SIGNED_CERT_IN_CHAIN'), { password: 'hunter2', user: 'u' }) as Error;
    expect(explained.message).toMatch(/NATS TLS handshake failed.*NATS_TLS_CA/);
    expect(explained.message).not.toContain('hunter2');
  });
});
