/**
 * A nats-server in operator (JWT) mode for tests: an operator, a system account and the cluster's
 * account (JetStream on) preloaded in the server's memory resolver; users are JWTs signed by the
 * account key, written as .creds files (0600). No user lives in the server's config: that is what
 * lets whoever holds the account key issue users at any time.
 */
import { createAccount, createOperator, createUser, encodeAccount, encodeOperator, encodeUser, fmtCreds, type KeyPair } from '@nats-io/jwt';
import { ClusterNamespace } from '@runnel/protocol';
import { natsRolePermissions, startNatsServer, type NatsRole, type NatsServerHandle } from '@runnel/tools';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The JWT library's defaults are 0 (nothing allowed) for limits left out: -1 is unlimited.
const UNLIMITED = { subs: -1, data: -1, payload: -1 };
const ACCOUNT_LIMITS = { ...UNLIMITED, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1, mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 };

export interface OperatorModeNats {
  readonly server: NatsServerHandle;
  readonly account: KeyPair;
  /** The account's seed in a file (0600): what the ResourceManager signs per-job users with. */
  readonly accountSeedFile: string;
  /** A .creds file for a new user of the account with a role's permissions of `--secure`. */
  writeCreds(name: string, role: NatsRole, account?: KeyPair): Promise<{ path: string; seed: string }>;
}

export async function startOperatorModeNats(dir: string): Promise<OperatorModeNats> {
  const operator = createOperator();
  const system = createAccount();
  const account = createAccount();
  const operatorJwt = await encodeOperator('runnel-test', operator, { system_account: system.getPublicKey() });
  const systemJwt = await encodeAccount('SYS', system, {}, { signer: operator });
  const accountJwt = await encodeAccount('RUNNEL', account, { limits: ACCOUNT_LIMITS }, { signer: operator });
  writeFileSync(
    join(dir, 'nats.conf'),
    [
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
  const writeCreds = async (name: string, role: NatsRole, signer: KeyPair = account) => {
    const user = createUser();
    const { publish, subscribe, publishDeny = [] } = natsRolePermissions(ClusterNamespace.of())[role];
    const jwt = await encodeUser(name, user, signer, { ...UNLIMITED, pub: { allow: [...publish], deny: [...publishDeny] }, sub: { allow: [...subscribe] } });
    const path = join(dir, `${name}.creds`);
    writeFileSync(path, fmtCreds(jwt, user), { mode: 0o600 });
    return { path, seed: new TextDecoder().decode(user.getSeed()) };
  };
  const services = await writeCreds('services', 'services');
  const server = await startNatsServer({ storeDir: join(dir, 'js'), configFile: join(dir, 'nats.conf'), probeCredentials: { credsFile: services.path } });
  const accountSeedFile = join(dir, 'account.seed');
  writeFileSync(accountSeedFile, `${new TextDecoder().decode(account.getSeed())}\n`, { mode: 0o600 });
  return { server, account, accountSeedFile, writeCreds };
}
