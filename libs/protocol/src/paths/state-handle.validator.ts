/**
 * A state handle names a file under CHECKPOINT_DIR or an object in the checkpoint bucket
 * (`<job>/chk-<n>/<encoded vertex>/<subtask>`): whatever message carries one, it must be a plain
 * relative path (no absolute path, no `..`), so it can never name a file outside the directory.
 */
import { ValidateBy, ValidationOptions } from 'class-validator';
import { relativePathProblem } from './confined-path.util';

export const MAX_STATE_HANDLE_LENGTH = 1024;

export function IsStateHandle(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStateHandle',
      validator: {
        validate: (value: unknown) => relativePathProblem(value, MAX_STATE_HANDLE_LENGTH) === undefined,
        defaultMessage: (args) => `${args?.property ?? 'handle'} ${relativePathProblem(args?.value, MAX_STATE_HANDLE_LENGTH) ?? 'is invalid'}`,
      },
    },
    validationOptions,
  );
}
