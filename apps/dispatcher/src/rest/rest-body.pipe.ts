/** The validation of REST bodies, shared by the dispatcher's controllers. */
import { ValidationPipe } from '@nestjs/common';
import { ValidationError } from '@runnel/protocol';
import { BodyShapePipe } from './body-shape.pipe';

/** Validates REST bodies: unknown fields refused, every bad field named, nothing runs behind it. */
export const restBodyPipe = new BodyShapePipe(new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) =>
    new ValidationError(
      `Invalid request body: ${errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`).join('; ')}`,
      errors.map((e) => ({ field: e.property, problems: Object.values(e.constraints ?? {}) })),
    ),
}));
