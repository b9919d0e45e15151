/**
 * REST bodies are bounded in shape before they are transformed and validated: class-transformer
 * and class-validator recurse, so a deeply nested body would overflow the stack and answer 500
 * instead of 400. A body must also be a JSON object (or absent).
 */
import { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { ValidationError, payloadShapeProblem } from '@runnel/protocol';

export const MAX_REST_BODY_DEPTH = 32;

export class BodyShapePipe implements PipeTransform {
  constructor(private readonly next: PipeTransform) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body' && value !== undefined) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new ValidationError('Invalid request body: expected a JSON object', [{ field: '(body)', problems: ['must be a JSON object'] }]);
      }
      const problem = payloadShapeProblem(value, MAX_REST_BODY_DEPTH);
      if (problem) throw new ValidationError(`Invalid request body: ${problem}`, [{ field: '(body)', problems: [problem] }]);
    }
    return this.next.transform(value, metadata);
  }
}
