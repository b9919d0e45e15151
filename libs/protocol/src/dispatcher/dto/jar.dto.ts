/** Job artifacts ("jars", as Flink calls them) and running them. A jar id is the artifact's sha256. */
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { ProtocolMessage } from '../../common/protocol-message.dto';

const SHA256 = /^[0-9a-f]{64}$/;

export class JarRequest extends ProtocolMessage {
  @Matches(SHA256, { message: 'jarId must be the artifact sha256 (64 lower-case hex characters)' }) jarId!: string;
}

/** For NATS clients: the artifact is already in the artifact bucket under its sha256. */
export class RegisterJarRequest extends ProtocolMessage {
  @Matches(SHA256, { message: 'jarId must be the artifact sha256 (64 lower-case hex characters)' }) jarId!: string;
  @IsString() @MaxLength(255) name!: string;
}

export class RunJarRequest extends ProtocolMessage {
  @Matches(SHA256, { message: 'jarId must be the artifact sha256 (64 lower-case hex characters)' }) jarId!: string;
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @MaxLength(65_536, { each: true }) programArgs?: string[];
  /** At most 32768 (Flink's bound); the dispatcher's MAX_JOB_PARALLELISM is checked too. */
  @IsOptional() @IsInt() @Min(1) @Max(32_768) parallelism?: number;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(4096) savepointPath?: string;
  @IsOptional() @IsBoolean() allowNonRestoredState?: boolean;
  @IsOptional() @IsIn(['session', 'per-job']) target?: 'session' | 'per-job';
}

export class JarInfo {
  @IsString() id!: string;
  @IsString() name!: string;
  @IsNumber() uploaded!: number;
  @IsNumber() size!: number;
}

export class JarInfoReply extends ProtocolMessage {
  @ValidateNested() @Type(() => JarInfo) jar!: JarInfo;
}

export class JarsReply extends ProtocolMessage {
  @IsArray() @ValidateNested({ each: true }) @Type(() => JarInfo) files!: JarInfo[];
}

export class JarPlanReply extends ProtocolMessage {
  @IsObject() plan!: Record<string, unknown>;
  @Matches(SHA256) jobGraphHash!: string;
}
