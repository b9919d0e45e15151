/**
 * REST errors in Flink's shape (`{"errors": [...]}`) with Runnel's stable code beside them, and an
 * HTTP status that says whose fault it was: 400 bad input, 401/403 not allowed, 404 missing, 503 a
 * service unreachable. A body the parser could not read (bad JSON, too large) is the client's
 * fault too: 400 (413 when too large), never 500.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ErrorCodes, RunnelError } from '@runnel/protocol';

/** The little of Express's response this filter needs. */
interface JsonResponse {
  status(code: number): { json(body: unknown): void };
  setHeader(name: string, value: string): void;
}

const STATUS: Record<string, number> = {
  [ErrorCodes.ValidationFailed]: 400,
  [ErrorCodes.InvalidId]: 400,
  [ErrorCodes.InvalidArtifact]: 400,
  [ErrorCodes.ArtifactTooLarge]: 400,
  [ErrorCodes.SavepointMismatch]: 400,
  [ErrorCodes.CorruptCheckpoint]: 400,
  [ErrorCodes.Unauthorized]: 401,
  [ErrorCodes.Forbidden]: 403,
  [ErrorCodes.NotFound]: 404,
  [ErrorCodes.Conflict]: 409,
  [ErrorCodes.NotEnoughSlots]: 503,
  [ErrorCodes.NoResponders]: 503,
  [ErrorCodes.RequestTimeout]: 504,
};

@Catch()
export class RunnelErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const response = host.switchToHttp().getResponse<JsonResponse>();
    if (error instanceof HttpException) {
      const body = error.getResponse();
      const message = typeof body === 'string' ? body : ((body as { message?: string | string[] }).message ?? error.message);
      const code = HTTP_STATUS_CODES[error.getStatus()];
      response.status(error.getStatus()).json({ errors: Array.isArray(message) ? message : [message], ...(code ? { code } : {}) });
      return;
    }
    if (error instanceof RunnelError) {
      if (error.code === ErrorCodes.Unauthorized) response.setHeader('WWW-Authenticate', 'Bearer realm="runnel"');
      response.status(STATUS[error.code] ?? 500).json({ errors: [error.message], code: error.code, details: error.details });
      return;
    }
    const unreadable = unreadableBody(error);
    if (unreadable) {
      response.status(unreadable.status).json({ errors: [unreadable.message], code: ErrorCodes.ValidationFailed });
      return;
    }
    this.logger.error((error as Error)?.stack ?? String(error));
    response.status(500).json({ errors: [(error as Error)?.message ?? 'internal error'], code: ErrorCodes.Internal });
  }
}

/** Codes for Nest's own HTTP exceptions (no route, a body that is not JSON). */
const HTTP_STATUS_CODES: Record<number, string> = {
  400: ErrorCodes.ValidationFailed,
  401: ErrorCodes.Unauthorized,
  403: ErrorCodes.Forbidden,
  404: ErrorCodes.NotFound,
  409: ErrorCodes.Conflict,
  413: ErrorCodes.ValidationFailed,
  415: ErrorCodes.ValidationFailed,
};

/**
 * body-parser's errors (http-errors with a `type` such as `entity.parse.failed`,
 * `entity.too.large`, `encoding.unsupported`) and qs' depth RangeError: the body could not be read.
 */
function unreadableBody(error: unknown): { status: number; message: string } | undefined {
  const e = error as { type?: unknown; status?: unknown; limit?: unknown; message?: unknown } | null;
  if (error instanceof RangeError && /depth|limit/i.test(error.message)) return { status: 400, message: `Request body refused: ${error.message}` };
  if (!e || typeof e.type !== 'string' || typeof e.status !== 'number' || e.status < 400 || e.status >= 500) return undefined;
  if (e.type === 'entity.too.large') {
    return { status: 413, message: `Request body is larger than the limit${typeof e.limit === 'number' ? ` of ${e.limit} bytes` : ''}` };
  }
  return { status: 400, message: `Request body could not be read (${e.type}): ${String(e.message)}` };
}
