/** Bodies of the savepoint endpoints, in Flink's spelling (and camelCase, which Flink also reads for stop). */
import { restBodyPipe } from './rest-body.pipe';
import { Expose } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class SavepointBody {
  /** An absolute directory inside the JobManager's SAVEPOINT_DIRS (checked there, after symlinks are resolved). */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(4096) @Expose({ name: 'target-directory' }) targetDirectoryDashed?: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(4096) targetDirectory?: string;
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

export const savepointBodyPipe = restBodyPipe;
