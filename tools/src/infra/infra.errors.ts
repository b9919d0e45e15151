// Errors of the local infrastructure helpers. Each failure has its own class and a stable `code`,
// so callers (the cluster command, CI, e2e helpers) can react to a failure kind, and a user reads
// what failed and what to do about it.

export abstract class InfraError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A polled condition did not become true before its deadline. */
export class WaitTimeoutError extends InfraError {
  readonly code = 'INFRA_WAIT_TIMEOUT';
}

/** An executable (nats-server, postgres, setpriv …) is not installed. */
export class BinaryNotFoundError extends InfraError {
  readonly code = 'INFRA_BINARY_NOT_FOUND';
}

/** A process we started exited before it became ready. */
export class ProcessStartError extends InfraError {
  readonly code = 'INFRA_PROCESS_START_FAILED';
}

/** A database could not be created, dropped or reached. */
export class DatabaseAdminError extends InfraError {
  readonly code = 'INFRA_DATABASE_ADMIN_FAILED';
}

/** Another cluster already owns the data directory. */
export class DataDirInUseError extends InfraError {
  readonly code = 'INFRA_DATA_DIR_IN_USE';
}

/** A service's build output (`apps/<service>/dist/main.js`) does not exist yet. */
export class ServiceNotBuiltError extends InfraError {
  readonly code = 'INFRA_SERVICE_NOT_BUILT';
}

/** No Nx workspace (nx.json) above the given directory. */
export class RepoNotFoundError extends InfraError {
  readonly code = 'INFRA_REPO_NOT_FOUND';
}

/** A TCP port we were told to use is taken. */
export class PortInUseError extends InfraError {
  readonly code = 'INFRA_PORT_IN_USE';
}
