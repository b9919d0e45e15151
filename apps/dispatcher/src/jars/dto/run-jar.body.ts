/** The body of POST /jars/:jarid/run and /plan, in Flink's shape. */
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

export class RunJarBody {
  /** Arguments as one string, split on white space (Flink's programArgs). */
  @IsOptional() @IsString() @MaxLength(65_536) programArgs?: string;
  /** Arguments as a list (Flink's programArgsList); wins over programArgs. */
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @MaxLength(65_536, { each: true }) programArgsList?: string[];
  /** At most 32768 (Flink's bound) and MAX_JOB_PARALLELISM (checked by the service). */
  @IsOptional() @IsInt() @Min(1) @Max(32_768) parallelism?: number;
  /** A savepoint id (savepoint://…) or a directory inside the JobManager's SAVEPOINT_DIRS. */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(4096) savepointPath?: string;
  @IsOptional() @IsBoolean() allowNonRestoredState?: boolean;
  /** `per-job`: TaskManagers started for this job alone (a resource provider must run); default `session`. */
  @IsOptional() @IsIn(['session', 'per-job'], { message: 'target must be session or per-job' }) target?: 'session' | 'per-job';
  /** Accepted for Flink clients; a Runnel artifact has one entry (its default export). */
  @IsOptional() @IsString() @MaxLength(1024) entryClass?: string;

  static args(body: RunJarBody | undefined): string[] {
    if (body?.programArgsList) return body.programArgsList;
    return body?.programArgs?.trim() ? body.programArgs.trim().split(/\s+/) : [];
  }
}
