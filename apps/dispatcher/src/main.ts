/**
 * Dispatcher: the cluster's REST entry point (Flink's API shapes) and its NATS API for clients.
 * Instances elect a leader, which alone serves the NATS API; REST is served by every instance,
 * standbys included: it holds no state of its own and calls the other services' leaders.
 */
import { exitOnStartFailure, loadSettings, newServiceIdentity, runService } from '@runnel/service-kit';
import { DispatcherModule } from './dispatcher.module';
import { DispatcherSettings } from './dispatcher.settings';
import { DISPATCHER_REST_ROUTES } from './rest/rest-access.routes';

async function main(): Promise<void> {
  const settings = loadSettings(DispatcherSettings);
  const identity = newServiceIdentity('dispatcher', __dirname, settings, { prefix: 'dispatcher', database: false });
  await runService({
    identity,
    settings,
    module: DispatcherModule.forRoot(settings, identity),
    queue: 'runnel.dispatcher',
    leaderElection: true,
    restRoutes: DISPATCHER_REST_ROUTES,
  });
}

main().catch((error) => exitOnStartFailure('dispatcher', error));
