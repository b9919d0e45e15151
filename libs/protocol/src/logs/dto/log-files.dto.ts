/** A service's log files (LOG_DIR): listing them, and reading one in chunks (a NATS message is bounded). */
import { IsArray, IsInt, IsNumber, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ProtocolMessage } from '../../common/protocol-message.dto';

/** Largest chunk of a log file in one reply (NATS' default max payload is 1 MiB; JSON escaping grows text). */
export const MAX_LOG_CHUNK_BYTES = 256 * 1024;

/** A log file's name: no directory part, no leading dot; what a service writes (`<name>.log`, `<name>.out`, rotations). */
export const LOG_FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;

export class LogFileInfo {
  @IsString() name!: string;
  @IsNumber() size!: number;
  @IsNumber() mtime!: number;
}

export class LogListReply extends ProtocolMessage {
  @IsArray() @IsObject({ each: true }) logs!: LogFileInfo[];
  /** Why there are none, when logs are not kept in files (LOG_DIR unset). */
  @IsOptional() @IsString() note?: string;
}

export class ReadLogRequest extends ProtocolMessage {
  @IsString() @MaxLength(255) @Matches(LOG_FILE_NAME, { message: 'name must be a log file name (letters, digits, ".", "_", "-"; no directory)' }) name!: string;
  @IsOptional() @IsInt() @Min(0) offset?: number;
  @IsOptional() @IsInt() @Min(1) @Max(MAX_LOG_CHUNK_BYTES) length?: number;
}

export class LogChunkReply extends ProtocolMessage {
  @IsString() name!: string;
  /** The file's size when it was read. */
  @IsInt() size!: number;
  @IsInt() offset!: number;
  /** The bytes from `offset`, base64 (a chunk may end inside a UTF-8 character). */
  @IsString() data!: string;
}
