/**
 * Turns an untrusted payload into a validated DTO instance, or a ValidationError naming every bad
 * field. Unknown properties are refused too: a typo in a field name must not pass silently.
 */
import { plainToInstance } from 'class-transformer';
import { ValidationError as ClassValidatorError, validateSync } from 'class-validator';
import { FieldViolation, ValidationError } from '../errors/runnel-errors';
import { DtoClass } from './rpc-method';
import { payloadShapeProblem } from './payload-shape.util';

export function validateMessage<T extends object>(dto: DtoClass<T>, payload: unknown, what = dto.name): T {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new ValidationError(`Invalid ${what}: expected a JSON object`, [
      { field: '', problems: ['must be a JSON object'] },
    ]);
  }
  const shape = payloadShapeProblem(payload);
  if (shape) throw new ValidationError(`Invalid ${what}: ${shape}`, [{ field: '', problems: [shape] }]);
  const instance = plainToInstance(dto, payload);
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  });
  if (errors.length > 0) {
    const violations = flatten(errors, '');
    const summary = violations.map((v) => `${v.field || '(body)'}: ${v.problems.join(', ')}`).join('; ');
    throw new ValidationError(`Invalid ${what}: ${summary}`, violations);
  }
  return instance;
}

function flatten(errors: readonly ClassValidatorError[], prefix: string): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) out.push({ field, problems: Object.values(error.constraints) });
    if (error.children?.length) out.push(...flatten(error.children, field));
  }
  return out;
}
