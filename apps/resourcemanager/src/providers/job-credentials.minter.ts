/**
 * Per-job NATS users for per-job TaskManagers (operator / JWT mode). With TM_NATS_ACCOUNT_SEED_FILE
 * (the cluster account's key, or a signing key of it with TM_NATS_ACCOUNT naming the account), the
 * `process` provider gives a TaskManager it starts for one job a user of its own: a JWT signed
 * here, whose permissions name only that job (jobTaskManagerPermissions), with a fresh user key
 * made for it. The .creds file (JWT and user seed) is written 0600 into a directory only this
 * process's user can enter, handed to the TaskManager as NATS_CREDS, and deleted when it exits.
 * The TaskManager never sees the account key or the shared TM_NATS_* credentials, so job code
 * that reads its TaskManager's environment or files gets no more than its own job's rights.
 *
 * Nothing has to change on the server: in operator mode it trusts any user the account signs.
 */
import { createUser, encodeUser, fmtCreds, fromSeed, type KeyPair } from '@nats-io/jwt';
import { jobTaskManagerPermissions, type ClusterNamespace, type JobId, type ResourceId } from '@runnel/protocol';
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MintedCredentials {
  /** The .creds file (NATS_CREDS). */
  readonly credsFile: string;
  /** NATS_INBOX_PREFIX: the user may subscribe to replies only there. */
  readonly inboxPrefix: string;
  /** The user's public key (U…), for logs: not a secret. */
  readonly user: string;
}

export class JobCredentialsError extends Error {
  readonly code = 'INVALID_SETTINGS';
  constructor(message: string) {
    super(message);
    this.name = 'JobCredentialsError';
  }
}

/** What a CONNECT line holds beside the JWT: its other fields and the signed nonce. */
const CONNECT_OVERHEAD = 500;

export class JobCredentialsMinter {
  private constructor(
    private readonly signer: KeyPair,
    /** The account the users belong to (A…): the signer's own key, or the account a signing key signs for. */
    private readonly account: string,
    private readonly dir: string,
    private readonly namespace: ClusterNamespace,
    private readonly maxControlLine: number,
  ) {}

  /**
   * The minter of the settings, or undefined when no account key is configured. A seed that is not
   * an account key (SA…) or cannot be read is an error naming the file, never its contents.
   */
  static fromSettings(settings: {
    readonly seedFile?: string;
    readonly account?: string;
    readonly dir: string;
    readonly namespace: ClusterNamespace;
    /** The server's max_control_line (4096 bytes by default): the JWT travels in the CONNECT line. */
    readonly maxControlLine?: number;
  }): JobCredentialsMinter | undefined {
    if (!settings.seedFile) return undefined;
    let text: string;
    try {
      text = readFileSync(settings.seedFile, 'utf8').trim();
    } catch (error) {
      throw new JobCredentialsError(`TM_NATS_ACCOUNT_SEED_FILE: cannot read ${settings.seedFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!/^SA[A-Z2-7]{56}$/.test(text)) throw new JobCredentialsError(`TM_NATS_ACCOUNT_SEED_FILE: ${settings.seedFile} does not hold an account nkey seed (one line starting with SA)`);
    let signer: KeyPair;
    try {
      signer = fromSeed(new TextEncoder().encode(text));
    } catch {
      throw new JobCredentialsError(`TM_NATS_ACCOUNT_SEED_FILE: ${settings.seedFile} holds no valid nkey seed`);
    }
    const account = settings.account ?? signer.getPublicKey();
    if (!/^A[A-Z2-7]{55}$/.test(account)) throw new JobCredentialsError(`TM_NATS_ACCOUNT: ${account} is not an account public key (A…)`);
    mkdirSync(settings.dir, { recursive: true, mode: 0o700 });
    // A directory someone else made first (in a shared temp dir) could be read by them: refuse it.
    if (process.getuid && statSync(settings.dir).uid !== process.getuid()) throw new JobCredentialsError(`TM_CREDENTIALS_DIR: ${settings.dir} belongs to another user`);
    chmodSync(settings.dir, 0o700);
    return new JobCredentialsMinter(signer, account, settings.dir, settings.namespace, settings.maxControlLine ?? 4096);
  }

  async mint(resourceId: ResourceId, jobId: JobId, restoresFrom: readonly JobId[] = []): Promise<MintedCredentials> {
    const permissions = jobTaskManagerPermissions({ namespace: this.namespace, jobId, resourceId, restoresFrom });
    const user = createUser();
    const signedByAccount = this.account === this.signer.getPublicKey();
    const jwt = await encodeUser(
      resourceId,
      user,
      signedByAccount ? this.signer : this.account,
      {
        pub: { allow: [...permissions.publish] },
        sub: { allow: [...permissions.subscribe] },
        // Replies to requests it received (the JobManager's and ResourceManager's), nothing else on their inboxes.
        resp: { max: 1, ttl: 0 },
        // The library's defaults for limits left out are 0 (nothing allowed): -1 is unlimited.
        subs: -1,
        data: -1,
        payload: -1,
      },
      // No expiry: the server disconnects a user whose JWT expires, and a streaming job may run for months.
      signedByAccount ? {} : { signer: this.signer },
    );
    // nats-server reads the JWT in its CONNECT line, at most max_control_line (4096 bytes by default) with the rest of it.
    const maxJwt = this.maxControlLine - CONNECT_OVERHEAD;
    if (jwt.length > maxJwt) {
      // Every subject names the cluster id and the job: a long CLUSTER_ID is what makes it grow.
      throw new JobCredentialsError(
        `the NATS user for ${resourceId} would be a ${jwt.length}-character JWT, more than fits in the server's CONNECT line (max_control_line ${this.maxControlLine} bytes, TM_NATS_MAX_CONTROL_LINE; ${maxJwt} for the JWT): raise max_control_line in the server's configuration (e.g. 8KB) and TM_NATS_MAX_CONTROL_LINE with it, or use a shorter CLUSTER_ID`,
      );
    }
    const credsFile = this.fileOf(resourceId);
    writeFileSync(credsFile, fmtCreds(jwt, user), { mode: 0o600 });
    return { credsFile, inboxPrefix: permissions.inboxPrefix, user: user.getPublicKey() };
  }

  /** The TaskManager is gone: its credentials go too. */
  forget(resourceId: string): void {
    rmSync(this.fileOf(resourceId), { force: true });
  }

  private fileOf(resourceId: string): string {
    return join(this.dir, `${resourceId}.creds`);
  }
}
