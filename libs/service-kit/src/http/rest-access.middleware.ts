/**
 * The HTTP middleware run-service installs in front of everything else (body parsers included):
 * the access decision of RestAccessPolicy, answered in the usual error shape, and the refusal of
 * bodies that no route reads (anything but JSON and multipart). Refused requests are answered
 * before their body is read, and the connection is cut soon after the answer, so an
 * unauthenticated client cannot make the service read a large body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { ErrorCodes } from '@runnel/protocol';
import { RestAccessPolicy } from './rest-access.policy';

type Next = (error?: unknown) => void;
type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

/** Writes `{"errors": [message], "code": code}`; a body still coming is dropped (see discardBody). */
export function sendRestError(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [message], code });
  const unreadBody = hasBody(req) && !req.readableEnded;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
  if (unreadBody) discardBody(req);
}

/**
 * What is left of a refused request's body is read and dropped (closing a socket with unread data
 * would reset it, and the client might never see the answer) — for a little while: then the
 * connection is cut, so a refused 1 GiB upload does not occupy the service until it is all sent.
 */
export function discardBody(req: IncomingMessage, graceMs = 2_000): void {
  // All of it arrived already: nothing to drop, and the connection may serve the next request.
  if (req.complete || req.readableEnded) return;
  req.resume();
  const timer = setTimeout(() => req.socket.destroy(), graceMs);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
}

export function restAccessMiddleware(policy: RestAccessPolicy): Middleware {
  return (req, res, next) => {
    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    const decision = policy.decide({
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0],
      secure: (req.socket as TLSSocket).encrypted === true,
      host: header('host'),
      origin: header('origin'),
      secFetchSite: header('sec-fetch-site'),
      authorization: header('authorization'),
    });
    if (decision.allowed) return next();
    sendRestError(req, res, decision.status, decision.code, decision.message, decision.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="runnel"' } : {});
  };
}

const READ_BODIES = /^(application\/([a-z0-9.+-]*\+)?json|multipart\/form-data)\s*(;|$)/i;

/**
 * Bodies are JSON (or multipart, for uploads); nothing parses forms or text, so such a body would
 * be silently ignored and the request run with defaults. It is refused instead (400).
 */
export function bodyTypeMiddleware(): Middleware {
  return (req, res, next) => {
    if (!hasBody(req) || READ_BODIES.test(req.headers['content-type'] ?? '')) return next();
    const type = req.headers['content-type'];
    sendRestError(
      req,
      res,
      400,
      ErrorCodes.ValidationFailed,
      `Unsupported request body type ${type ? JSON.stringify(type) : '(none given)'}: send application/json (multipart/form-data for uploads)`,
    );
  };
}

/** As type-is: a body comes when there is Transfer-Encoding or a non-zero Content-Length. */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}
