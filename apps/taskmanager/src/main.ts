/** TaskManager: offers its slots to the cluster and (with the runtime) runs tasks in them. */
import { JETSTREAM_REPLICAS_ENV, ResourceIds } from '@runnel/protocol';
import { exitOnStartFailure, loadSettings, newServiceIdentity, runService } from '@runnel/service-kit';
import { ResourceManagerConnection } from './registration/resource-manager-connection.service';
import { TaskManagerModule } from './taskmanager.module';
import { TaskManagerSettings } from './taskmanager.settings';

async function main(): Promise<void> {
  const settings = loadSettings(TaskManagerSettings);
  // Slot workers (threads or processes) inherit this environment and create the checkpoint bucket
  // with it: the TaskManager's setting wins even when it came as --jetstream-replicas.
  process.env[JETSTREAM_REPLICAS_ENV] = String(settings.jetStreamReplicas);
  const resourceId = settings.resourceId ? ResourceIds.parse(settings.resourceId) : ResourceIds.generate();
  const identity = newServiceIdentity('taskmanager', __dirname, settings, { id: resourceId, database: false });
  const { app, url } = await runService({
    identity,
    settings,
    module: TaskManagerModule.forRoot(settings, identity),
    subjectParams: { resourceId },
  });
  app.get(ResourceManagerConnection).start(url);
}

main().catch((error) => exitOnStartFailure('taskmanager', error));
