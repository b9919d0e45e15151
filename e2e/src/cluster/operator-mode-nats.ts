/**
 * A nats-server in operator (JWT) mode for tests, from the files `npm run nats:operator-setup`
 * writes (tools/src/cluster/nats-operator.setup.ts): an operator, a system account and the
 * cluster's account (JetStream on) preloaded in the server's memory resolver; users are JWTs
 * signed by the account key, written as .creds files (0600).
 */
import { type KeyPair } from '@nats-io/jwt';
import { startNatsServer, writeOperatorModeNats, writeRoleCreds, type NatsRole, type NatsServerHandle } from '@runnel/tools';
import { join } from 'node:path';

export interface OperatorModeNats {
  readonly server: NatsServerHandle;
  readonly account: KeyPair;
  /** The account's seed in a file (0600): what the ResourceManager signs per-job users with. */
  readonly accountSeedFile: string;
  /** A .creds file for a new user of the account (or of another) with a role's permissions of `--secure`. */
  writeCreds(name: string, role: NatsRole, account?: KeyPair): Promise<{ path: string; seed: string }>;
}

export async function startOperatorModeNats(dir: string): Promise<OperatorModeNats> {
  // Its own port and store come as the launcher's flags.
  const files = await writeOperatorModeNats(join(dir, 'nats'), { listen: false });
  const writeCreds = (name: string, role: NatsRole, signer: KeyPair = files.account) => writeRoleCreds(join(dir, `${name}.creds`), name, role, signer);
  const server = await startNatsServer({ storeDir: join(dir, 'js'), configFile: files.serverConfig, probeCredentials: { credsFile: files.creds.services } });
  return { server, account: files.account, accountSeedFile: files.accountSeedFile, writeCreds };
}
