/** What every control message carries, and the replies every service shares. */
import { Equals, IsInt, IsNumber, IsString } from 'class-validator';
import { PROTOCOL_VERSION, ProtocolVersion } from '../version';

export abstract class ProtocolMessage {
  @Equals(PROTOCOL_VERSION, {
    message: `protocolVersion must be ${PROTOCOL_VERSION} (the version this service speaks)`,
  })
  protocolVersion!: ProtocolVersion;
}

/** A request that carries nothing but the protocol version. */
export class EmptyRequest extends ProtocolMessage {}

/** Reply of methods that only acknowledge, like Flink's `Acknowledge`. */
export class Acknowledge extends ProtocolMessage {}

export class ServiceInfo extends ProtocolMessage {
  @IsString() service!: string;
  @IsString() id!: string;
  @IsString() version!: string;
  @IsNumber() uptimeMs!: number;
  @IsInt() pid!: number;
}
