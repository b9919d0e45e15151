/** Checkpoint messages: trigger, acknowledge or decline, complete; and the checkpoint views. */
import { IsBoolean, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { ProtocolMessage } from '../../common/protocol-message.dto';

const HEX32 = /^[0-9a-f]{32}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const hex32 = (field: string) => ({ message: `${field} must be 32 lower-case hex characters` });

export const CheckpointModes = { ExactlyOnce: 'exactly-once', AtLeastOnce: 'at-least-once' } as const;
export type CheckpointMode = (typeof CheckpointModes)[keyof typeof CheckpointModes];

/** JobMaster → TaskManager: a source task starts checkpoint n (Flink: triggerCheckpoint). */
export class TriggerCheckpointRequest extends ProtocolMessage {
  @Matches(HEX32, hex32('jobId')) jobId!: string;
  @Matches(HEX32, hex32('executionAttemptId')) executionAttemptId!: string;
  @IsInt() @Min(1) checkpointId!: number;
  @IsNumber() timestamp!: number;
  @IsIn(Object.values(CheckpointModes)) mode!: CheckpointMode;
}

/** TaskManager → JobMaster: a task wrote its state for checkpoint n. */
export class AcknowledgeCheckpointRequest extends ProtocolMessage {
  @Matches(HEX32, hex32('jobId')) jobId!: string;
  @Matches(HEX32, hex32('executionAttemptId')) executionAttemptId!: string;
  @IsInt() @Min(1) checkpointId!: number;
  /** Where the state is, in the checkpoint store. */
  @IsString() @MaxLength(1024) handle!: string;
  @IsInt() @Min(0) size!: number;
  @Matches(SHA256, { message: 'checksum must be a sha256 in hex' }) checksum!: string;
}

export class DeclineCheckpointRequest extends ProtocolMessage {
  @Matches(HEX32, hex32('jobId')) jobId!: string;
  @Matches(HEX32, hex32('executionAttemptId')) executionAttemptId!: string;
  @IsInt() @Min(1) checkpointId!: number;
  @IsString() @MaxLength(4096) reason!: string;
}

/** JobMaster → TaskManager: checkpoint n is complete; sinks commit what it covers. */
export class NotifyCheckpointCompleteRequest extends ProtocolMessage {
  @Matches(HEX32, hex32('jobId')) jobId!: string;
  @IsInt() @Min(0) attempt!: number;
  @IsInt() @Min(1) checkpointId!: number;
}

/** GET /jobs/:id/checkpoints in Flink's shape; entries are plain JSON objects in that shape. */
export class CheckpointsReply extends ProtocolMessage {
  @IsObject() counts!: Record<string, number>;
  @IsObject() summary!: Record<string, unknown>;
  @IsObject() latest!: Record<string, unknown>;
  @IsObject({ each: true }) history!: Record<string, unknown>[];
}

export class CheckpointConfigReply extends ProtocolMessage {
  @IsString() mode!: string;
  @IsNumber() interval!: number;
  @IsNumber() timeout!: number;
  @IsNumber() min_pause!: number;
  @IsNumber() max_concurrent!: number;
  @IsInt() tolerable_failed_checkpoints!: number;
  @IsInt() retained!: number;
  @IsBoolean() enabled!: boolean;
  @IsOptional() @IsObject() restart_strategy?: Record<string, unknown>;
}
