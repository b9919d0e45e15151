/**
 * class-validator decorators for the branded ids: each checks exactly what ids.ts parses, so a DTO
 * field typed `JobId` (say) holds a real JobId once validateMessage has accepted the message, and
 * the services behind a controller never cast. Messages name the field and the expected shape.
 */
import { ValidateBy, ValidationOptions, buildMessage } from 'class-validator';
import { AllocationIds, CheckpointIds, ExecutionAttemptIds, JobIds, ResourceIds, SlotIds } from './ids';

function idDecorator(name: string, isValid: (value: unknown) => boolean, expected: string) {
  return (validationOptions?: ValidationOptions): PropertyDecorator =>
    ValidateBy(
      {
        name,
        validator: {
          validate: (value: unknown) => isValid(value),
          defaultMessage: buildMessage((eachPrefix) => `${eachPrefix}$property must be ${expected}`, validationOptions),
        },
      },
      validationOptions,
    );
}

const HEX32_SHAPE = '32 lower-case hex characters';

export const IsJobId = idDecorator('isJobId', JobIds.isValid, HEX32_SHAPE);
export const IsExecutionAttemptId = idDecorator('isExecutionAttemptId', ExecutionAttemptIds.isValid, HEX32_SHAPE);
export const IsAllocationId = idDecorator('isAllocationId', AllocationIds.isValid, HEX32_SHAPE);
export const IsResourceId = idDecorator(
  'isResourceId',
  ResourceIds.isValid,
  'letters, digits, ".", "_" or "-" (at most 128), not starting with a symbol',
);
export const IsSlotId = idDecorator('isSlotId', SlotIds.isValid, '<resourceId>#<slot index>');
export const IsCheckpointId = idDecorator('isCheckpointId', CheckpointIds.isValid, 'a positive integer');
