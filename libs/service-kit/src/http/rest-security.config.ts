/**
 * Turns a service's HTTP security settings into what run-service installs: the access policy
 * (tokens, accepted Host names, the service's public and read-only routes) and the HTTPS key pair.
 * Files are read once at start; anything wrong stops the service with a ConfigError that names the
 * setting — and never prints a token.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/load-settings';
import { ServiceSettings } from '../config/service-settings';
import { normalizeHostName, RestAccessOptions } from './rest-access.policy';

/** The routes of a service that the generic rules cannot know: see RestAccessOptions. */
export interface RestRoutes {
  readonly publicPaths?: readonly string[];
  readonly readOnlyPosts?: readonly string[];
}

export interface RestSecurity {
  readonly access: RestAccessOptions;
  readonly https?: { readonly cert: Buffer; readonly key: Buffer };
}

type HttpSecuritySettings = Pick<
  ServiceSettings,
  'httpHost' | 'httpAdvertisedHost' | 'allowedHosts' | 'restAuthToken' | 'restAuthTokenFile' | 'restReadTokens' | 'httpTlsCert' | 'httpTlsKey'
>;

export function restSecurityOf(settings: HttpSecuritySettings, routes: RestRoutes = {}): RestSecurity {
  const problems: string[] = [];
  const fullToken = fullTokenOf(settings, problems);
  const readTokens = (settings.restReadTokens ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (readTokens.some((t) => /\s/.test(t))) problems.push('REST_READ_TOKENS: a token contains white space');
  if (fullToken !== undefined && readTokens.includes(fullToken)) problems.push('REST_READ_TOKENS: holds the full token (REST_AUTH_TOKEN) too');
  const https = httpsOf(settings, problems);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  const listen = normalizeHostName(settings.httpHost);
  const allowedHosts = [
    // A wildcard bind address is no name anyone uses in a Host header.
    ...(['0.0.0.0', '[::]'].includes(listen) ? [] : [listen]),
    ...(settings.httpAdvertisedHost ? [settings.httpAdvertisedHost] : []),
    ...(settings.allowedHosts ?? '').split(','),
  ]
    .map((h) => h.trim())
    .filter((h) => h !== '');
  return {
    access: { fullTokens: fullToken === undefined ? [] : [fullToken], readTokens, allowedHosts, ...routes },
    ...(https ? { https } : {}),
  };
}

function fullTokenOf(settings: HttpSecuritySettings, problems: string[]): string | undefined {
  if (settings.restAuthToken !== undefined && settings.restAuthTokenFile !== undefined) {
    problems.push('REST_AUTH_TOKEN and REST_AUTH_TOKEN_FILE are both set: give one of them');
    return undefined;
  }
  let token = settings.restAuthToken;
  if (settings.restAuthTokenFile !== undefined) {
    try {
      token = readFileSync(settings.restAuthTokenFile, 'utf8');
    } catch (error) {
      problems.push(`REST_AUTH_TOKEN_FILE = ${JSON.stringify(settings.restAuthTokenFile)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  }
  if (token === undefined) return undefined;
  const trimmed = token.trim();
  const where = settings.restAuthTokenFile !== undefined ? `REST_AUTH_TOKEN_FILE = ${JSON.stringify(settings.restAuthTokenFile)}` : 'REST_AUTH_TOKEN';
  if (trimmed === '') problems.push(`${where}: the token is empty`);
  else if (/\s/.test(trimmed)) problems.push(`${where}: the token contains white space`);
  return trimmed === '' ? undefined : trimmed;
}

function httpsOf(settings: HttpSecuritySettings, problems: string[]): RestSecurity['https'] {
  const { httpTlsCert: certPath, httpTlsKey: keyPath } = settings;
  if (certPath === undefined && keyPath === undefined) return undefined;
  if (certPath === undefined || keyPath === undefined) {
    problems.push(`${certPath === undefined ? 'HTTP_TLS_KEY' : 'HTTP_TLS_CERT'} is set without ${certPath === undefined ? 'HTTP_TLS_CERT' : 'HTTP_TLS_KEY'}: HTTPS needs both`);
    return undefined;
  }
  const read = (setting: string, path: string, pem: RegExp, what: string): Buffer | undefined => {
    try {
      const bytes = readFileSync(path);
      if (!pem.test(bytes.toString('latin1'))) problems.push(`${setting} = ${JSON.stringify(path)}: not a PEM ${what} (no -----BEGIN ${what.toUpperCase()}----- block)`);
      return bytes;
    } catch (error) {
      problems.push(`${setting} = ${JSON.stringify(path)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  };
  const cert = read('HTTP_TLS_CERT', certPath, /-----BEGIN CERTIFICATE-----/, 'certificate');
  const key = read('HTTP_TLS_KEY', keyPath, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key');
  return cert && key ? { cert, key } : undefined;
}
