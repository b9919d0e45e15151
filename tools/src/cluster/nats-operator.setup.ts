// NATS in operator (JWT) mode for Runnel, written to a directory (0700, files 0600):
//
//   nats-server.conf     operator, system account and the cluster's account (JetStream on) in the
//                        server's memory resolver; listens on 127.0.0.1:4222, JetStream under jetstream/
//   account.seed         the account's key: the ResourceManager's TM_NATS_ACCOUNT_SEED_FILE, which
//                        signs a user per per-job TaskManager (jobTaskManagerPermissions)
//   services.creds       the dispatcher's, JobManager's and ResourceManager's user (NATS_CREDS)
//   taskmanagers.creds   session TaskManagers' user (TM_NATS_CREDS): the `taskmanagers` role of --secure
//   clients.creds        @runnel/client's user: the `clients` role
//
// Users carry the roles of natsRolePermissions, the same as `--secure`'s configuration users; in
// operator mode no user lives in the server's configuration, which is what lets whoever holds the
// account key issue users at any time.

import { createAccount, createOperator, createUser, encodeAccount, encodeOperator, encodeUser, fmtCreds, type KeyPair } from '@nats-io/jwt';
import { ClusterNamespace } from '@runnel/protocol';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NATS_ROLES, natsRolePermissions, type NatsRole } from './secure-cluster.setup';

// The JWT library's defaults are 0 (nothing allowed) for limits left out: -1 is unlimited.
const UNLIMITED = { subs: -1, data: -1, payload: -1 };
const ACCOUNT_LIMITS = { ...UNLIMITED, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1, mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 };

export interface OperatorModeNatsFiles {
  readonly dir: string;
  readonly serverConfig: string;
  readonly accountSeedFile: string;
  /** The .creds file of each role. */
  readonly creds: Readonly<Record<NatsRole, string>>;
  /** The account's key pair (for tests that sign users of their own). */
  readonly account: KeyPair;
}

/** A .creds file for a new user of `account` with a role's permissions (0600). */
export async function writeRoleCreds(file: string, name: string, role: NatsRole, account: KeyPair, namespace: ClusterNamespace = ClusterNamespace.DEFAULT): Promise<{ path: string; seed: string }> {
  const user = createUser();
  const { publish, subscribe, publishDeny = [] } = natsRolePermissions(namespace)[role];
  const jwt = await encodeUser(name, user, account, { ...UNLIMITED, pub: { allow: [...publish], deny: [...publishDeny] }, sub: { allow: [...subscribe] } });
  writeFileSync(file, fmtCreds(jwt, user), { mode: 0o600 });
  chmodSync(file, 0o600);
  return { path: file, seed: new TextDecoder().decode(user.getSeed()) };
}

export interface OperatorModeNatsOptions {
  readonly namespace?: ClusterNamespace;
  readonly port?: number;
  /** false: leave out host, port and JetStream (a launcher gives them as flags; nats-server refuses a store_dir given twice). */
  readonly listen?: boolean;
}

export async function writeOperatorModeNats(dir: string, options: OperatorModeNatsOptions = {}): Promise<OperatorModeNatsFiles> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const operator = createOperator();
  const system = createAccount();
  const account = createAccount();
  const operatorJwt = await encodeOperator('runnel', operator, { system_account: system.getPublicKey() });
  const systemJwt = await encodeAccount('SYS', system, {}, { signer: operator });
  const accountJwt = await encodeAccount('RUNNEL', account, { limits: ACCOUNT_LIMITS }, { signer: operator });
  const serverConfig = join(dir, 'nats-server.conf');
  const secret = (file: string, text: string) => {
    writeFileSync(file, text, { mode: 0o600 });
    chmodSync(file, 0o600);
  };
  secret(
    serverConfig,
    [
      '# Written by Runnel (tools/src/cluster/nats-operator.setup.ts): NATS in operator mode.',
      ...(options.listen === false ? [] : ['host: 127.0.0.1', `port: ${options.port ?? 4222}`, `jetstream { store_dir: ${JSON.stringify(join(dir, 'jetstream'))} }`]),
      `operator: ${operatorJwt}`,
      `system_account: ${system.getPublicKey()}`,
      'resolver: MEMORY',
      'resolver_preload: {',
      `  ${system.getPublicKey()}: ${systemJwt}`,
      `  ${account.getPublicKey()}: ${accountJwt}`,
      '}',
      '',
    ].join('\n'),
  );
  const accountSeedFile = join(dir, 'account.seed');
  secret(accountSeedFile, `${new TextDecoder().decode(account.getSeed())}\n`);
  const creds = {} as Record<NatsRole, string>;
  for (const role of NATS_ROLES) creds[role] = (await writeRoleCreds(join(dir, `${role}.creds`), role, role, account, options.namespace)).path;
  return { dir, serverConfig, accountSeedFile, creds, account };
}
