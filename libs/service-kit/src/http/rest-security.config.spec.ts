import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadSettings, ServiceSettings } from '../index';
import { restSecurityOf } from './rest-security.config';

const SECRET = 's3cr3t-token-value';
const load = (env: Record<string, string>) => loadSettings(ServiceSettings, [], { HTTP_PORT: '0', ...env });

function configError(call: () => unknown): ConfigError {
  try {
    call();
  } catch (e) {
    return e as ConfigError;
  }
  throw new Error('expected ConfigError');
}

describe('restSecurityOf', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'runnel-rest-security-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('needs no token and serves HTTP by default; accepts the bound and advertised names and ALLOWED_HOSTS', () => {
    const security = restSecurityOf(load({ HTTP_HOST: '10.0.0.5', HTTP_ADVERTISED_HOST: 'runnel.example.com', ALLOWED_HOSTS: 'a.example, B.example:8081,' }));
    expect(security.https).toBeUndefined();
    expect(security.access).toMatchObject({ fullTokens: [], readTokens: [], allowedHosts: ['10.0.0.5', 'runnel.example.com', 'a.example', 'B.example:8081'] });
    expect(restSecurityOf(load({ HTTP_HOST: '0.0.0.0' })).access.allowedHosts).toEqual([]);
  });

  it('reads the token from REST_AUTH_TOKEN or, trimmed, from REST_AUTH_TOKEN_FILE, and the read-only tokens', () => {
    expect(restSecurityOf(load({ REST_AUTH_TOKEN: SECRET, REST_READ_TOKENS: ' r1, r2 ,' })).access).toMatchObject({ fullTokens: [SECRET], readTokens: ['r1', 'r2'] });
    const file = join(dir, 'token');
    writeFileSync(file, `  ${SECRET}\n`);
    expect(restSecurityOf(load({ REST_AUTH_TOKEN_FILE: file })).access.fullTokens).toEqual([SECRET]);
  });

  it('refuses unreadable, empty or conflicting token settings without printing a token', () => {
    const messages = [
      configError(() => restSecurityOf(load({ REST_AUTH_TOKEN_FILE: join(dir, 'missing') }))).message,
      configError(() => restSecurityOf(load({ REST_AUTH_TOKEN: SECRET, REST_AUTH_TOKEN_FILE: join(dir, 'x') }))).message,
      configError(() => restSecurityOf(load({ REST_AUTH_TOKEN: `${SECRET} and more` }))).message,
      configError(() => restSecurityOf(load({ REST_AUTH_TOKEN: SECRET, REST_READ_TOKENS: `r1,${SECRET}` }))).message,
    ];
    expect(messages[0]).toContain('REST_AUTH_TOKEN_FILE');
    expect(messages[0]).toContain('ENOENT');
    expect(messages[1]).toContain('both set');
    expect(messages[2]).toContain('white space');
    expect(messages[3]).toContain('REST_READ_TOKENS');
    for (const m of messages) expect(m).not.toContain(SECRET);
    const emptyFile = join(dir, 'empty');
    writeFileSync(emptyFile, '\n');
    expect(configError(() => restSecurityOf(load({ REST_AUTH_TOKEN_FILE: emptyFile }))).message).toContain('the token is empty');
  });

  it('reads the TLS key pair, and refuses half a pair or files that are not PEM', () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    writeFileSync(cert, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
    expect(restSecurityOf(load({ HTTP_TLS_CERT: cert, HTTP_TLS_KEY: key })).https?.cert.toString()).toContain('BEGIN CERTIFICATE');
    expect(configError(() => restSecurityOf(load({ HTTP_TLS_CERT: cert }))).message).toContain('HTTP_TLS_CERT is set without HTTP_TLS_KEY');
    expect(configError(() => restSecurityOf(load({ HTTP_TLS_CERT: key, HTTP_TLS_KEY: cert }))).message).toMatch(/HTTP_TLS_CERT = .*not a PEM certificate[\s\S]*HTTP_TLS_KEY = .*not a PEM private key/);
  });

  it('never shows a secret setting in configuration errors or usage', () => {
    const message = configError(() => loadSettings(ServiceSettings, ['--nope'], { HTTP_PORT: '0', REST_AUTH_TOKEN: SECRET, REST_READ_TOKENS: SECRET })).message;
    expect(message).toContain('REST_AUTH_TOKEN');
    expect(message).not.toContain(SECRET);
  });
});
