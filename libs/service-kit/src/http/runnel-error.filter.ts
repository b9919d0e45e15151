/**
 * REST errors in Flink's shape (`{"errors": [...]}`) with Runnel's stable code beside them, and an
 * HTTP status that says whose fault it was: 400 bad input, 404 missing, 503 a service unreachable.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ErrorCodes, RunnelError } from '@runnel/protocol';

/** The little of Express's response this filter needs. */
interface JsonResponse {
  status(code: number): { json(body: unknown): void };
}

const STATUS: Record<string, number> = {
  [ErrorCodes.ValidationFailed]: 400,
  [ErrorCodes.InvalidId]: 400,
  [ErrorCodes.InvalidArtifact]: 400,
  [ErrorCodes.ArtifactTooLarge]: 400,
  [ErrorCodes.SavepointMismatch]: 400,
  [ErrorCodes.CorruptCheckpoint]: 400,
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
      response.status(error.getStatus()).json({ errors: Array.isArray(message) ? message : [message] });
      return;
    }
    if (error instanceof RunnelError) {
      response.status(STATUS[error.code] ?? 500).json({ errors: [error.message], code: error.code, details: error.details });
      return;
    }
    this.logger.error((error as Error)?.stack ?? String(error));
    response.status(500).json({ errors: [(error as Error)?.message ?? 'internal error'], code: ErrorCodes.Internal });
  }
}
