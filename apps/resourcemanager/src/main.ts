/** ResourceManager: the TaskManager and slot registry and the job store, over NATS, in Postgres. */
import { ensureDatabase, exitOnStartFailure, loadSettings, packageVersion, runService } from '@runnel/service-kit';
import { randomBytes } from 'node:crypto';
import { ResourceManagerModule } from './resourcemanager.module';
import { ResourceManagerSettings } from './resourcemanager.settings';

async function main(): Promise<void> {
  const settings = loadSettings(ResourceManagerSettings);
  await ensureDatabase(settings.databaseUrl);
  const identity = {
    service: 'resourcemanager',
    id: `rm-${randomBytes(6).toString('hex')}`,
    version: packageVersion(__dirname),
    natsUrl: settings.natsUrl,
    startedAt: Date.now(),
    database: true,
  } as const;
  await runService({
    identity,
    settings,
    module: ResourceManagerModule.forRoot(settings, identity),
    queue: 'runnel.resourcemanager',
    // One leader among the instances; TaskManagers re-register with a new leader (its id changes).
    leaderElection: true,
  });
}

main().catch((error) => exitOnStartFailure('resourcemanager', error));
