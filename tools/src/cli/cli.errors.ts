/** Errors of the runnel CLI, each with a stable code and the process exit status it maps to. */

export const CliExitCode = {
  Ok: 0,
  JobFailed: 1,
  Usage: 2,
} as const;
export type CliExitCode = (typeof CliExitCode)[keyof typeof CliExitCode];

export class CliUsageError extends Error {
  readonly code = 'CLI_USAGE';
  readonly exitCode = CliExitCode.Usage;
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** A command or mode that exists in the CLI's shape but is not implemented yet. */
export class CliNotSupportedError extends Error {
  readonly code = 'CLI_NOT_SUPPORTED';
  readonly exitCode = CliExitCode.Usage;
  constructor(what: string) {
    super(`${what} is not yet supported`);
    this.name = 'CliNotSupportedError';
  }
}
