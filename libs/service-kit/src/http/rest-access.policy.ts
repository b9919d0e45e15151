/**
 * Who may call a service's HTTP endpoint: one decision per request, from its method, path and
 * headers, before any body is read. Three checks, in this order:
 *
 * 1. Host (always): the `Host` header must name this service — localhost, 127.0.0.1, [::1], an IP
 *    literal, HTTP_HOST, HTTP_ADVERTISED_HOST or ALLOWED_HOSTS, with any port. A DNS-rebinding page
 *    reaches the service under the attacker's own name, so its requests carry that name. IP
 *    literals are safe to accept: a browser that addressed the service by IP has that IP as its
 *    origin, and the same-origin policy and check 2 apply to it as to any other origin.
 * 2. Origin (always): a state-changing request (not GET/HEAD/OPTIONS) sent by a browser on behalf
 *    of another site — `Origin` not this service's own (`null` included), or `Sec-Fetch-Site`
 *    cross-site/same-site — is refused. Multipart and text/plain POSTs need no CORS preflight, so
 *    without this any web page the operator visits could upload and run code. Programs (CLI,
 *    curl) send no Origin and pass.
 * 3. Token (when configured): `Authorization: Bearer <token>`, compared in constant time; a
 *    read-only token may only read (and call the POSTs that change nothing).
 *
 * `/health` is exempt from 1 and 3 (probes address a pod by IP or any name and send no token), and
 * the public paths (the dashboard's page) from 3: the page holds no data, its API calls need the token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { ErrorCodes } from '@runnel/protocol';

export interface RestAccessOptions {
  /** Tokens that may do anything. Empty with `readTokens` empty: no authentication. */
  readonly fullTokens: readonly string[];
  /** Tokens that may only read: GET/HEAD/OPTIONS and the `readOnlyPosts`. */
  readonly readTokens: readonly string[];
  /** Names (without port) accepted in Host besides localhost and IP literals; `*` accepts any. */
  readonly allowedHosts: readonly string[];
  /** GET/HEAD paths served without a token (a page that holds no data). */
  readonly publicPaths?: readonly string[];
  /** POST routes (`/jars/:jarid/plan`) that change nothing: a read-only token may call them. */
  readonly readOnlyPosts?: readonly string[];
  /** GET/HEAD paths exempt from the Host and token checks: health probes. Default `/health`. */
  readonly probePaths?: readonly string[];
}

/** What the decision needs of a request. Header values as received; absent headers undefined. */
export interface RestRequestFacts {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Whether the request came over TLS (the scheme of the service's own origin). */
  readonly secure: boolean;
  readonly host?: string;
  readonly origin?: string;
  readonly secFetchSite?: string;
  readonly authorization?: string;
}

export const RestRole = { Anonymous: 'anonymous', Public: 'public', Full: 'full', Read: 'read' } as const;
export type RestRole = (typeof RestRole)[keyof typeof RestRole];

export type RestAccessDecision =
  | { readonly allowed: true; readonly role: RestRole }
  | {
      readonly allowed: false;
      readonly status: 401 | 403;
      readonly code: typeof ErrorCodes.Unauthorized | typeof ErrorCodes.Forbidden;
      readonly message: string;
    };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ALWAYS_ALLOWED_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

export class RestAccessPolicy {
  private readonly fullDigests: Buffer[];
  private readonly readDigests: Buffer[];
  private readonly hosts: Set<string>;
  private readonly anyHost: boolean;
  private readonly publicPaths: Set<string>;
  private readonly probePaths: Set<string>;
  private readonly readOnlyPosts: RegExp[];

  constructor(options: RestAccessOptions) {
    // Digests of equal length make timingSafeEqual applicable whatever the presented token's length.
    this.fullDigests = options.fullTokens.map(digest);
    this.readDigests = options.readTokens.map(digest);
    const names = options.allowedHosts.map(normalizeHostName).filter((h) => h !== '');
    this.anyHost = names.includes('*');
    this.hosts = new Set([...ALWAYS_ALLOWED_HOSTS, ...names]);
    this.publicPaths = new Set((options.publicPaths ?? []).map(normalizePath));
    this.probePaths = new Set((options.probePaths ?? ['/health']).map(normalizePath));
    this.readOnlyPosts = (options.readOnlyPosts ?? []).map(routePattern);
  }

  /** Whether requests need a token at all. */
  get authenticates(): boolean {
    return this.fullDigests.length + this.readDigests.length > 0;
  }

  decide(request: RestRequestFacts): RestAccessDecision {
    const method = request.method.toUpperCase();
    const path = normalizePath(request.path);
    const safe = SAFE_METHODS.has(method);
    const probe = (method === 'GET' || method === 'HEAD') && this.probePaths.has(path);
    if (probe) return { allowed: true, role: RestRole.Public };

    const host = parseHost(request.host);
    if (!host) return forbidden('The request has no valid Host header');
    if (!this.hostAllowed(host.name)) {
      return forbidden(
        `Host ${JSON.stringify(host.name)} is not a name of this service: add it to ALLOWED_HOSTS (or set HTTP_ADVERTISED_HOST) ` +
          'if the service is meant to be reached under it (requests under foreign names are refused against DNS rebinding)',
      );
    }
    if (!safe) {
      const crossSite = this.crossSiteReason(request, host);
      if (crossSite) return forbidden(`Cross-site ${method} refused: ${crossSite}; nothing was changed`);
    }
    if (!this.authenticates) return { allowed: true, role: RestRole.Anonymous };
    if ((method === 'GET' || method === 'HEAD') && this.publicPaths.has(path)) return { allowed: true, role: RestRole.Public };

    const token = bearerToken(request.authorization);
    if (token === undefined) {
      return {
        allowed: false,
        status: 401,
        code: ErrorCodes.Unauthorized,
        message: 'Authentication required: send Authorization: Bearer <token> (this service has REST_AUTH_TOKEN set)',
      };
    }
    const presented = digest(token);
    // Every digest is compared, so the time taken does not tell which kind of token matched.
    const full = this.fullDigests.reduce((hit, d) => timingSafeEqual(d, presented) || hit, false);
    const read = this.readDigests.reduce((hit, d) => timingSafeEqual(d, presented) || hit, false);
    if (full) return { allowed: true, role: RestRole.Full };
    if (!read) return { allowed: false, status: 401, code: ErrorCodes.Unauthorized, message: 'The bearer token is not valid for this service' };
    if (safe || (method === 'POST' && this.readOnlyPosts.some((p) => p.test(path)))) return { allowed: true, role: RestRole.Read };
    return forbidden(`A read-only token (REST_READ_TOKENS) may not ${method} ${path}: use the full token (REST_AUTH_TOKEN)`);
  }

  private hostAllowed(name: string): boolean {
    return this.anyHost || this.hosts.has(name) || isIP(name.replace(/^\[|\]$/g, '')) !== 0;
  }

  private crossSiteReason(request: RestRequestFacts, host: { name: string; port: string }): string | undefined {
    const site = request.secFetchSite?.trim().toLowerCase();
    if (site === 'cross-site' || site === 'same-site') return `the browser says it was sent by another site (Sec-Fetch-Site: ${site})`;
    if (request.origin === undefined) return undefined;
    const origin = request.origin.trim();
    if (origin === 'null') return 'it comes from an opaque origin (Origin: null)';
    const scheme = request.secure ? 'https:' : 'http:';
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return `its Origin ${JSON.stringify(origin)} is not a URL`;
    }
    const ownPort = host.port || defaultPort(scheme);
    const originPort = url.port || defaultPort(url.protocol);
    if (url.protocol !== scheme || url.hostname.toLowerCase() !== host.name || originPort !== ownPort) {
      return `Origin ${url.origin} is not this service's own origin (${scheme}//${host.name}${host.port ? `:${host.port}` : ''})`;
    }
    return undefined;
  }
}

function forbidden(message: string): RestAccessDecision {
  return { allowed: false, status: 403, code: ErrorCodes.Forbidden, message };
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

function defaultPort(scheme: string): string {
  return scheme === 'https:' ? '443' : scheme === 'http:' ? '80' : '';
}

/** `example.com:8081` → { example.com, 8081 }; `[::1]:80` → { [::1], 80 }; undefined when malformed. */
export function parseHost(header: string | undefined): { name: string; port: string } | undefined {
  const value = header?.trim().toLowerCase();
  if (!value) return undefined;
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::(\d{1,5}))?$/.exec(value);
  return match ? { name: match[1], port: match[2] ?? '' } : undefined;
}

/** A name as given in settings (`Example.com`, `host:8081`, `::1`) → the form Host parsing yields. */
export function normalizeHostName(name: string): string {
  const value = name.trim().toLowerCase();
  if (value === '*' || value === '') return value;
  if (isIP(value) === 6) return `[${value}]`;
  return parseHost(value)?.name ?? value;
}

/** Express routes are case-insensitive and ignore one trailing slash; so does the matching here. */
function normalizePath(path: string): string {
  const lower = path.toLowerCase();
  return lower.length > 1 ? lower.replace(/\/+$/, '') || '/' : lower;
}

function routePattern(route: string): RegExp {
  const source = normalizePath(route)
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}
