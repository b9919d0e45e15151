/** ResourceManager: the TaskManager and slot registry and the job store, over NATS, in Postgres. */
import { ConfigError, ensureDatabase, exitOnStartFailure, loadSettings, newServiceIdentity, runService } from '@runnel/service-kit';
import { ResourceManagerModule } from './resourcemanager.module';
import { ResourceManagerSettings } from './resourcemanager.settings';

async function main(): Promise<void> {
  const settings = loadSettings(ResourceManagerSettings);
  if (settings.resourceProvider === 'kubernetes') {
    throw new ConfigError(
      'RESOURCE_PROVIDER=kubernetes is a design, not built yet: see docs/deployment/kubernetes.md. Use standalone (TaskManagers started by you) or process (started by the ResourceManager on its host).',
    );
  }
  await ensureDatabase(settings.databaseUrl);
  const identity = newServiceIdentity('resourcemanager', __dirname, settings, { prefix: 'rm', database: true });
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
