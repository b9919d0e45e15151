/**
 * NATS credentials and TLS, given the way NATS users give them, for every Runnel component that
 * connects to NATS (services, slot workers, the CLI, `@runnel/client`, the JetStream connectors):
 *
 * | variable              | nats.js option                                  |
 * |-----------------------|-------------------------------------------------|
 * | `NATS_USER`           | `user` (with `NATS_PASSWORD`: `pass`)           |
 * | `NATS_TOKEN`          | `token`                                         |
 * | `NATS_NKEY_SEED_FILE` | `authenticator: nkeyAuthenticator(seed)`        |
 * | `NATS_CREDS`          | `authenticator: credsAuthenticator(file bytes)` |
 * | `NATS_TLS_CA`, `NATS_TLS_CERT`, `NATS_TLS_KEY` | `tls: { caFile, certFile, keyFile }` |
 * | `NATS_INBOX_PREFIX`   | `inboxPrefix` (where replies to this connection go) |
 *
 * One way of authenticating at a time (user/password, token, nkey or creds); TLS goes with any.
 * `NatsCredentials` is plain data (strings and file paths) so it can travel in a worker's
 * workerData; the files are read when the options are built, by the process that connects.
 *
 * Secrets (password, token, the files' contents) never appear in what `describeNatsCredentials`,
 * `natsCredentialProblems` or the errors here say: a user name or a file path does.
 */
import { readFileSync } from 'node:fs';
import { credsAuthenticator, nkeyAuthenticator, type ConnectionOptions } from 'nats';

export interface NatsCredentials {
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
  /** A file holding an nkey seed (`SU…`). */
  readonly nkeySeedFile?: string;
  /** A `.creds` file (user JWT and nkey seed), as `nsc` writes them. */
  readonly credsFile?: string;
  /** PEM CA certificate(s) the server's certificate is checked against. */
  readonly tlsCa?: string;
  /** PEM client certificate (with tlsKey) for servers that verify clients. */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  /**
   * Subject prefix of this connection's reply inboxes (default `_INBOX`). Not a secret, but part of
   * an identity: a user allowed to subscribe only to `_INBOX_<name>.>` (a per-job TaskManager's,
   * minted by the ResourceManager) must make its inboxes there, and nobody allowed `_INBOX.>`
   * sees the replies it gets (its pulled records among them).
   */
  readonly inboxPrefix?: string;
}

export type NatsCredentialKey = keyof NatsCredentials;

/** The environment variable of each credential. */
export const NATS_CREDENTIAL_ENV: Readonly<Record<NatsCredentialKey, string>> = {
  user: 'NATS_USER',
  password: 'NATS_PASSWORD',
  token: 'NATS_TOKEN',
  nkeySeedFile: 'NATS_NKEY_SEED_FILE',
  credsFile: 'NATS_CREDS',
  tlsCa: 'NATS_TLS_CA',
  tlsCert: 'NATS_TLS_CERT',
  tlsKey: 'NATS_TLS_KEY',
  inboxPrefix: 'NATS_INBOX_PREFIX',
};

const KEYS = Object.keys(NATS_CREDENTIAL_ENV) as NatsCredentialKey[];

/** The credentials in `env` (`NATS_USER`, …; with a prefix, `TM_NATS_USER`, …). Empty values count as unset. */
export function natsCredentialsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env, prefix = ''): NatsCredentials {
  const found: Record<string, string> = {};
  for (const key of KEYS) {
    const value = env[`${prefix}${NATS_CREDENTIAL_ENV[key]}`];
    if (value !== undefined && value !== '') found[key] = value;
  }
  return found;
}

/**
 * The credentials as environment variables for a child process: every NATS_* variable, the unset
 * ones `undefined` (so the child does not inherit another identity's from its parent).
 */
export function natsCredentialsToEnv(credentials: NatsCredentials, prefix = ''): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const key of KEYS) env[`${prefix}${NATS_CREDENTIAL_ENV[key]}`] = credentials[key];
  return env;
}

/** Only the credentials that are set (no undefined fields): for workerData and JSON. */
export function compactNatsCredentials(credentials: NatsCredentials): NatsCredentials {
  const out: Record<string, string> = {};
  for (const key of KEYS) {
    const value = credentials[key];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

export function hasNatsCredentials(credentials: NatsCredentials | undefined): boolean {
  return credentials !== undefined && KEYS.some((key) => key !== 'inboxPrefix' && credentials[key] !== undefined && credentials[key] !== '');
}

export interface NatsCredentialProblem {
  readonly key: NatsCredentialKey;
  readonly message: string;
}

/**
 * What is wrong with a set of credentials, per credential: a missing partner (a password without
 * a user, a certificate without its key), two ways of authenticating at once, a file that cannot
 * be read or does not hold what it should. Empty when they are usable. Messages hold no secret.
 */
export function natsCredentialProblems(credentials: NatsCredentials, options: { readonly checkFiles?: boolean } = {}): NatsCredentialProblem[] {
  const c = compactNatsCredentials(credentials);
  const problems: NatsCredentialProblem[] = [];
  const env = NATS_CREDENTIAL_ENV;
  if (c.password !== undefined && c.user === undefined) problems.push({ key: 'password', message: `${env.password} needs ${env.user}` });
  if (c.user !== undefined && c.password === undefined) problems.push({ key: 'user', message: `${env.user} needs ${env.password}` });
  const methods = (['user', 'token', 'nkeySeedFile', 'credsFile'] as const).filter((key) => c[key] !== undefined);
  if (methods.length > 1) {
    for (const key of methods.slice(1)) {
      problems.push({ key, message: `give one way of authenticating to NATS, not ${methods.map((m) => env[m]).join(' and ')}` });
    }
  }
  if (c.tlsCert !== undefined && c.tlsKey === undefined) problems.push({ key: 'tlsCert', message: `${env.tlsCert} needs ${env.tlsKey}` });
  if (c.tlsKey !== undefined && c.tlsCert === undefined) problems.push({ key: 'tlsKey', message: `${env.tlsKey} needs ${env.tlsCert}` });
  if (c.inboxPrefix !== undefined && !INBOX_PREFIX.test(c.inboxPrefix)) {
    problems.push({ key: 'inboxPrefix', message: `${env.inboxPrefix} must be a NATS subject without wildcards (tokens of letters, digits, _, - and $, separated by dots)` });
  }
  if (options.checkFiles !== false) {
    for (const key of ['nkeySeedFile', 'credsFile', 'tlsCa', 'tlsCert', 'tlsKey'] as const) {
      const path = c[key];
      if (path === undefined) continue;
      const problem = fileProblem(key, path);
      if (problem) problems.push({ key, message: problem });
    }
  }
  return problems;
}

const INBOX_PREFIX = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;

function fileProblem(key: NatsCredentialKey, path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `cannot read ${path} (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'a directory' : (code ?? 'error')})`;
  }
  if (key === 'nkeySeedFile' && !/^\s*SU[A-Z2-7]{56}\s*$/.test(text)) return `${path} does not hold a user nkey seed (one line starting with SU)`;
  if (key === 'credsFile' && !/-----BEGIN NATS USER JWT-----/.test(text)) return `${path} is not a NATS .creds file (no "BEGIN NATS USER JWT" section)`;
  return undefined;
}

/** Who connects, for messages: `NATS_USER=services`, `NATS_TOKEN`, `NATS_CREDS=/path`, or that none were given. No secret. */
export function describeNatsCredentials(credentials: NatsCredentials | undefined): string {
  const c = compactNatsCredentials(credentials ?? {});
  const env = NATS_CREDENTIAL_ENV;
  const parts: string[] = [];
  if (c.user !== undefined) parts.push(`${env.user}=${c.user}`);
  if (c.token !== undefined) parts.push(env.token);
  if (c.nkeySeedFile !== undefined) parts.push(`${env.nkeySeedFile}=${c.nkeySeedFile}`);
  if (c.credsFile !== undefined) parts.push(`${env.credsFile}=${c.credsFile}`);
  if (parts.length === 0) parts.push(`no credentials given: set ${env.user}/${env.password}, ${env.token}, ${env.nkeySeedFile} or ${env.credsFile}`);
  return parts.join(', ');
}

/** The credentials could not be used, or the server refused them. */
export class NatsCredentialsError extends Error {
  readonly code = 'NATS_CREDENTIALS_REFUSED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NatsCredentialsError';
  }
}

/**
 * nats.js connection options for the credentials (spread them into `connect({ servers, … })`).
 * Reads the nkey seed and creds files now; a credential that cannot be used throws
 * NatsCredentialsError saying which and why.
 */
export function natsConnectOptions(credentials: NatsCredentials | undefined): Partial<ConnectionOptions> {
  const c = compactNatsCredentials(credentials ?? {});
  const problems = natsCredentialProblems(c);
  if (problems.length > 0) throw new NatsCredentialsError(`NATS credentials: ${problems.map((p) => p.message).join('; ')}`);
  const options: { -readonly [K in keyof ConnectionOptions]?: ConnectionOptions[K] } = {};
  if (c.user !== undefined) {
    options.user = c.user;
    options.pass = c.password;
  }
  if (c.token !== undefined) options.token = c.token;
  if (c.inboxPrefix !== undefined) options.inboxPrefix = c.inboxPrefix;
  if (c.nkeySeedFile !== undefined) options.authenticator = nkeyAuthenticator(new TextEncoder().encode(readFileSync(c.nkeySeedFile, 'utf8').trim()));
  if (c.credsFile !== undefined) options.authenticator = credsAuthenticator(new Uint8Array(readFileSync(c.credsFile)));
  if (c.tlsCa !== undefined || c.tlsCert !== undefined) {
    options.tls = {
      ...(c.tlsCa !== undefined ? { caFile: c.tlsCa } : {}),
      ...(c.tlsCert !== undefined ? { certFile: c.tlsCert } : {}),
      ...(c.tlsKey !== undefined ? { keyFile: c.tlsKey } : {}),
    };
  }
  return options;
}

const REFUSALS: Readonly<Record<string, string>> = {
  AUTHORIZATION_VIOLATION: 'authorization violation',
  AUTHENTICATION_EXPIRED: 'authentication expired',
  ACCOUNT_EXPIRED: 'account expired',
  AUTHENTICATION_TIMEOUT: 'authentication timeout',
};

/** Whether a nats.js error is the server refusing the credentials. */
export function isNatsAuthError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code in REFUSALS;
}

/**
 * A connect error as the user should read it: the server refusing the credentials becomes a
 * NatsCredentialsError "NATS refused the credentials (NATS_USER=…): authorization violation";
 * anything else is returned as it is.
 */
/** Node's TLS failures (an untrusted or mismatched certificate, a refused client certificate): retrying cannot help. */
export function isNatsTlsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO)/.test(code);
}

export function explainNatsConnectError(error: unknown, credentials: NatsCredentials | undefined): unknown {
  if (isNatsTlsError(error)) {
    return new NatsCredentialsError(
      `NATS TLS handshake failed (${describeNatsCredentials(credentials)}): ${(error as Error).message} [${(error as { code: string }).code}]; check NATS_TLS_CA (the CA that signed the server's certificate), NATS_TLS_CERT and NATS_TLS_KEY`,
      { cause: error },
    );
  }
  if (!isNatsAuthError(error)) return error;
  const reason = REFUSALS[(error as { code: string }).code];
  return new NatsCredentialsError(`NATS refused the credentials (${describeNatsCredentials(credentials)}): ${reason}`, { cause: error });
}

/** NATS server URLs without a password or token in them (`nats://user:***@host:4222`), for logs and messages. */
export function redactNatsUrls(servers: string | readonly string[]): string {
  const list = typeof servers === 'string' ? servers.split(',') : servers;
  return list
    .map((server) => {
      try {
        const url = new URL(server);
        if (!url.username && !url.password) return server;
        if (url.password) url.password = '***';
        // nats://token@host: a lone "user" part is a token.
        else url.username = '***';
        return url.toString().replace(/\/$/, '');
      } catch {
        return server.replace(/\/\/[^@/]*@/, '//***@');
      }
    })
    .join(',');
}

/**
 * The server list of a NATS URL setting: `nats://a:4222,nats://b:4222` (or an array) as the array
 * nats.js wants. nats.js takes a string as one URL, so a comma-separated NATS_URL must go through here.
 */
export function natsServers(servers: string | readonly string[]): string[] {
  const list = typeof servers === 'string' ? servers.split(',') : [...servers];
  return list.map((server) => server.trim()).filter((server) => server !== '');
}
