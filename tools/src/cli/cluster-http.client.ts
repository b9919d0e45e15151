/**
 * How the CLI reaches a cluster's REST endpoint: over HTTP or HTTPS (trusting a private CA given
 * with `--ca` / RUNNEL_CA), with `Authorization: Bearer <token>` on every call when there is a
 * token — `--token`, RUNNEL_TOKEN, or, for a cluster on this machine, the one the local cluster
 * wrote to `<repo>/.runnel/secrets/rest-token`. Plain node:http(s), so a CA applies to this client
 * alone and the CLI needs no HTTP library.
 */
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname, join } from 'node:path';
import { CliUsageError } from './cli.errors';

export const DEFAULT_CLUSTER = 'http://127.0.0.1:8081';
/** Where the local cluster (`npm start -- --secure`) keeps its token, under its data dir. */
export const LOCAL_TOKEN_PATH = join('.runnel', 'secrets', 'rest-token');

export class ClusterRequestError extends Error {
  readonly code = 'CLI_CLUSTER_REQUEST';
  constructor(message: string) {
    super(message);
    this.name = 'ClusterRequestError';
  }
}

export interface ClusterConnection {
  readonly baseUrl: string;
  readonly token?: string;
  /** Where the token came from, for messages (never the token itself). */
  readonly tokenSource?: string;
  readonly ca?: Buffer;
}

export interface ConnectionArgs {
  readonly jobmanager?: string;
  readonly token?: string;
  readonly ca?: string;
}

export function clusterConnection(args: ConnectionArgs, env: NodeJS.ProcessEnv = process.env, repoRoot: string | undefined = findRepoRoot()): ClusterConnection {
  const m = args.jobmanager ?? DEFAULT_CLUSTER;
  const baseUrl = (/^https?:\/\//i.test(m) ? m : `http://${m}`).replace(/\/+$/, '');
  let host: string;
  try {
    host = new URL(baseUrl).hostname;
  } catch {
    throw new CliUsageError(`-m/--jobmanager must be host:port or an http(s) URL, got '${m}'`);
  }
  const caPath = args.ca ?? (env['RUNNEL_CA'] || undefined);
  let ca: Buffer | undefined;
  if (caPath !== undefined) {
    try {
      ca = readFileSync(caPath);
    } catch (error) {
      throw new CliUsageError(`${args.ca !== undefined ? '--ca' : 'RUNNEL_CA'} ${caPath} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const token = tokenOf(args, env, host, repoRoot);
  return { baseUrl, ...(token ? { token: token.value, tokenSource: token.source } : {}), ...(ca ? { ca } : {}) };
}

function tokenOf(args: ConnectionArgs, env: NodeJS.ProcessEnv, host: string, repoRoot: string | undefined): { value: string; source: string } | undefined {
  if (args.token !== undefined) return nonEmpty(args.token, '--token');
  if (env['RUNNEL_TOKEN']) return nonEmpty(env['RUNNEL_TOKEN'], 'RUNNEL_TOKEN');
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(host.toLowerCase());
  if (!local || !repoRoot) return undefined;
  const file = join(repoRoot, LOCAL_TOKEN_PATH);
  if (!existsSync(file)) return undefined;
  try {
    const value = readFileSync(file, 'utf8').trim();
    return value ? { value, source: file } : undefined;
  } catch {
    return undefined;
  }
}

function nonEmpty(value: string, source: string): { value: string; source: string } {
  const trimmed = value.trim();
  if (!trimmed) throw new CliUsageError(`${source} is empty`);
  return { value: trimmed, source };
}

/** The checkout this CLI runs from (nx.json above it), else above the working directory. */
function findRepoRoot(): string | undefined {
  for (const origin of [__dirname, process.cwd()]) {
    for (let dir = origin; ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'nx.json'))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  return undefined;
}

export interface ClusterCall {
  readonly method?: string;
  /** Sent as application/json. */
  readonly json?: unknown;
  /** Sent as multipart/form-data. */
  readonly form?: FormData;
  readonly timeoutMs?: number;
}

/** One REST call; the parsed JSON answer, or ClusterRequestError saying what went wrong and what to do. */
export async function callCluster<T>(connection: ClusterConnection, path: string, call: ClusterCall = {}): Promise<T> {
  const url = new URL(`${connection.baseUrl}${path}`);
  const method = call.method ?? (call.json !== undefined || call.form ? 'POST' : 'GET');
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: Buffer | undefined;
  if (call.json !== undefined) {
    body = Buffer.from(JSON.stringify(call.json));
    headers['content-type'] = 'application/json';
  } else if (call.form) {
    const encoded = new Response(call.form);
    body = Buffer.from(await encoded.arrayBuffer());
    headers['content-type'] = encoded.headers.get('content-type') ?? 'multipart/form-data';
  }
  if (body) headers['content-length'] = String(body.length);
  if (connection.token) headers['authorization'] = `Bearer ${connection.token}`;
  const { status, text } = await send(url, method, headers, body, connection.ca, call.timeoutMs ?? 120_000);
  let parsed: (T & { errors?: string[] }) | undefined;
  try {
    parsed = (text ? JSON.parse(text) : {}) as T & { errors?: string[] };
  } catch {
    parsed = undefined;
  }
  if (status < 200 || status >= 300 || parsed === undefined) {
    const reason = (parsed?.errors ?? [text.slice(0, 500)]).join('; ');
    throw new ClusterRequestError(`${method} ${url.pathname} → ${status}: ${reason}${hint(status, connection)}`);
  }
  return parsed;
}

function hint(status: number, connection: ClusterConnection): string {
  if (status !== 401) return '';
  return connection.token
    ? ` (the token from ${connection.tokenSource} was refused; give the cluster's token with --token or RUNNEL_TOKEN)`
    : ' (give the cluster\'s token with --token or RUNNEL_TOKEN)';
}

function send(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined, ca: Buffer | undefined, timeoutMs: number): Promise<{ status: number; text: string }> {
  const origin = url.origin;
  return new Promise((resolve, reject) => {
    const onResponse = (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', (error) => reject(unreachable(origin, error)));
    };
    const options = { method, headers, timeout: timeoutMs };
    const req = url.protocol === 'https:' ? httpsRequest(url, { ...options, ...(ca ? { ca } : {}) }, onResponse) : httpRequest(url, options, onResponse);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => reject(unreachable(origin, error)));
    req.end(body);
  });
}

function unreachable(origin: string, error: Error): ClusterRequestError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const tls = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS/.test(code);
  return new ClusterRequestError(
    `cannot reach the cluster at ${origin}: ${error.message}${tls ? ' (give the CA that signed the cluster\'s certificate with --ca <file> or RUNNEL_CA)' : ''}`,
  );
}
