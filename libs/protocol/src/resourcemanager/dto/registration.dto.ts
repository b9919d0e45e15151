import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsNumber, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ProtocolMessage } from '../../common/protocol-message.dto';
import { ResourceIds } from '../../ids/ids';
import { SlotStatus } from './slot-status.dto';

const RESOURCE_ID_MESSAGE = {
  message: 'resourceId must be letters, digits, ".", "_" or "-" (at most 128), not starting with a symbol',
};

/** A TaskManager introduces itself (Flink: registerTaskExecutor). */
export class RegisterTaskExecutorRequest extends ProtocolMessage {
  @Matches(ResourceIds.pattern, RESOURCE_ID_MESSAGE) resourceId!: string;
  /** Its admin HTTP endpoint, e.g. http://127.0.0.1:37011. */
  @IsString() @MaxLength(512) address!: string;
  @IsString() @MaxLength(255) hostname!: string;
  @IsInt() @Min(1) pid!: number;
  @IsInt() @Min(1) @Max(1024) slots!: number;
  /** Slots that are still allocated (a TaskManager re-registering after the ResourceManager restarted). */
  @IsOptional() @IsArray() @ArrayMaxSize(1024) @ValidateNested({ each: true }) @Type(() => SlotStatus)
  slotReport?: SlotStatus[];
  @IsString() @MaxLength(64) version!: string;
  @IsInt() @Min(1) cpuCores!: number;
  @IsNumber() @Min(0) physicalMemory!: number;
}

export class RegistrationReply extends ProtocolMessage {
  /** Names this registration; heartbeats carry it, so a stale TaskManager process is told apart. */
  @IsUUID() registrationId!: string;
  /** The ResourceManager instance (a fencing token): when it changes, TaskManagers register again. */
  @IsString() resourceManagerId!: string;
  @IsInt() @Min(1) heartbeatIntervalMs!: number;
  @IsInt() @Min(1) heartbeatTimeoutMs!: number;
}

/** Flink: sendSlotReport + heartbeat, in one message. */
export class HeartbeatRequest extends ProtocolMessage {
  @Matches(ResourceIds.pattern, RESOURCE_ID_MESSAGE) resourceId!: string;
  @IsUUID() registrationId!: string;
  @IsString() resourceManagerId!: string;
  @IsArray() @ArrayMaxSize(1024) @ValidateNested({ each: true }) @Type(() => SlotStatus)
  slotReport!: SlotStatus[];
}

export class DisconnectTaskExecutorRequest extends ProtocolMessage {
  @Matches(ResourceIds.pattern, RESOURCE_ID_MESSAGE) resourceId!: string;
  @IsUUID() registrationId!: string;
  @IsString() @MaxLength(1024) reason!: string;
}

export class TaskManagerRequest extends ProtocolMessage {
  @Matches(ResourceIds.pattern, RESOURCE_ID_MESSAGE) resourceId!: string;
}
