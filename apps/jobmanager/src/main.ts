/**
 * JobManager: runs one JobMaster per job (JobGraph → ExecutionGraph, scheduling, checkpoints).
 * Instances elect a leader; the leader takes over the unfinished jobs of the job store.
 */
import { ensureDatabase, exitOnStartFailure, loadSettings, packageVersion, runService } from '@runnel/service-kit';
import { randomBytes } from 'node:crypto';
import { JobRecoveryService } from './jobmaster/job-recovery.service';
import { JobManagerModule } from './jobmanager.module';
import { JobManagerSettings } from './jobmanager.settings';

async function main(): Promise<void> {
  const settings = loadSettings(JobManagerSettings);
  await ensureDatabase(settings.databaseUrl);
  const identity = {
    service: 'jobmanager',
    id: `jm-${randomBytes(6).toString('hex')}`,
    version: packageVersion(__dirname),
    natsUrl: settings.natsUrl,
    startedAt: Date.now(),
    database: true,
  } as const;
  await runService({
    identity,
    settings,
    module: JobManagerModule.forRoot(settings, identity),
    queue: 'runnel.jobmanager',
    leaderElection: true,
    onLeadershipGranted: async (app) => void (await app.get(JobRecoveryService).recoverJobs()),
  });
}

main().catch((error) => exitOnStartFailure('jobmanager', error));
