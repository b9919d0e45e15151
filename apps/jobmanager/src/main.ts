/**
 * JobManager: runs one JobMaster per job (JobGraph → ExecutionGraph, scheduling, checkpoints).
 * Instances elect a leader; the leader takes over the unfinished jobs of the job store.
 */
import { ensureDatabase, exitOnStartFailure, loadSettings, newServiceIdentity, runService } from '@runnel/service-kit';
import { JobRecoveryService } from './jobmaster/job-recovery.service';
import { DataStreamSweeper } from './jobmaster/data-stream-sweeper';
import { JobManagerService } from './jobmaster/job-manager.service';
import { JobManagerModule } from './jobmanager.module';
import { JobManagerSettings } from './jobmanager.settings';

async function main(): Promise<void> {
  const settings = loadSettings(JobManagerSettings);
  await ensureDatabase(settings.databaseUrl);
  const identity = newServiceIdentity('jobmanager', __dirname, settings, { prefix: 'jm', database: true });
  await runService({
    identity,
    settings,
    module: JobManagerModule.forRoot(settings, identity),
    queue: 'runnel.jobmanager',
    leaderElection: true,
    onLeadershipGranted: async (app) => {
      // The leader alone knows which job attempts run: it sweeps the data streams of the others.
      app.get(DataStreamSweeper).start();
      app.get(JobManagerService).startHistoryExpiry();
      await app.get(JobRecoveryService).recoverJobs();
    },
  });
}

main().catch((error) => exitOnStartFailure('jobmanager', error));
