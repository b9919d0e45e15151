import { Type } from 'class-transformer';
import { IsArray, ValidateNested } from 'class-validator';
import { ProtocolMessage } from '../../common/protocol-message.dto';
import type { ResourceId } from '../../ids/ids';
import { IsResourceId } from '../../ids/id.validators';
import { SlotStatus } from '../../resourcemanager/dto/slot-status.dto';

export class SlotReportReply extends ProtocolMessage {
  @IsResourceId() resourceId!: ResourceId;
  @IsArray() @ValidateNested({ each: true }) @Type(() => SlotStatus) slots!: SlotStatus[];
}
