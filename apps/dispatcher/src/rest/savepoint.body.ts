/** Bodies of the savepoint endpoints, in Flink's spelling (and camelCase, which Flink also reads for stop). */
import { ValidationPipe } from '@nestjs/common';
import { ValidationError } from '@runnel/protocol';
import { Expose } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';

export class SavepointBody {
  @IsOptional() @IsString() @MaxLength(4096) @Expose({ name: 'target-directory' }) targetDirectoryDashed?: string;
  @IsOptional() @IsString() @MaxLength(4096) targetDirectory?: string;
  @IsOptional() @IsBoolean() @Expose({ name: 'cancel-job' }) cancelJobDashed?: boolean;
  @IsOptional() @IsBoolean() cancelJob?: boolean;
  @IsOptional() @IsBoolean() drain?: boolean;

  static options(body: SavepointBody | undefined, stop: boolean) {
    const targetDirectory = body?.targetDirectory ?? body?.targetDirectoryDashed;
    return {
      ...(targetDirectory ? { targetDirectory } : {}),
      cancelJob: stop || (body?.cancelJob ?? body?.cancelJobDashed ?? false),
      ...(body?.drain ? { drain: true } : {}),
    };
  }
}

export const savepointBodyPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) =>
    new ValidationError(
      `Invalid request body: ${errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`).join('; ')}`,
      errors.map((e) => ({ field: e.property, problems: Object.values(e.constraints ?? {}) })),
    ),
});
