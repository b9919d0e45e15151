// `npm run nats:operator-setup -- <dir>`: writes what a NATS server in operator mode and a Runnel
// cluster with per-job NATS users need (nats-operator.setup.ts), and prints how to start both.

import { resolve } from 'node:path';
import { writeOperatorModeNats } from './nats-operator.setup';

async function main(): Promise<number> {
  const [dirArg, ...rest] = process.argv.slice(2);
  if (!dirArg || rest.length > 0 || dirArg.startsWith('-')) {
    process.stderr.write('usage: npm run nats:operator-setup -- <directory>\n');
    return 2;
  }
  const files = await writeOperatorModeNats(resolve(dirArg));
  const d = files.dir;
  process.stdout.write(
    [
      `wrote ${files.serverConfig}, ${files.accountSeedFile} and ${Object.values(files.creds).join(', ')} (mode 0600)`,
      '',
      'Start NATS, then a cluster whose ResourceManager gives each per-job TaskManager a user of its own:',
      `  nats-server -c ${files.serverConfig} &`,
      `  NATS_URL=nats://127.0.0.1:4222 NATS_CREDS=${files.creds.services} TM_NATS_CREDS=${files.creds.taskmanagers} \\`,
      `    TM_NATS_ACCOUNT_SEED_FILE=${files.accountSeedFile} npm start -- --resource-provider process`,
      '  npx runnel run --target per-job -p 2 examples/word-count.ts --input README.md --output /tmp/wc/',
      `Programs (@runnel/client): NATS_CREDS=${files.creds.clients}. Keep ${d} to yourself: account.seed signs any user.`,
      '',
    ].join('\n'),
  );
  return 0;
}

main().then((code) => (process.exitCode = code), (error: Error) => {
  process.stderr.write(`nats:operator-setup: ${error.message}\n`);
  process.exitCode = 1;
});
