import { Type } from 'class-transformer';
import { IsArray, IsString, ValidateNested } from 'class-validator';
import { ProtocolMessage } from '../../common/protocol-message.dto';
import { SlotStatus } from '../../resourcemanager/dto/slot-status.dto';

export class SlotReportReply extends ProtocolMessage {
  @IsString() resourceId!: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => SlotStatus) slots!: SlotStatus[];
}
