/**
 * REST responses are Flink-shaped JSON for people and tools; the wire-protocol version that
 * gateway replies carry is for services, so it is left out here.
 */
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, map } from 'rxjs';

@Injectable()
export class StripProtocolVersionInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((body: unknown) => {
        if (body && typeof body === 'object' && !Array.isArray(body) && 'protocolVersion' in body) {
          const { protocolVersion: _omit, ...rest } = body as Record<string, unknown>;
          return rest;
        }
        return body;
      }),
    );
  }
}
