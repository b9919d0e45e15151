/**
 * Job artifacts ("jars") and running them: an upload is checked — loaded and its graph built in a
 * worker thread — before anything is stored, so a broken artifact is refused with the reason and
 * leaves nothing behind. Running one builds the graph with the run's arguments and parallelism and
 * hands it to the JobManager.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ArtifactTooLargeError, InvalidArtifactError, JobIds, JobMasterGateway, NotFoundError, Reply, SubmitJobReply,
} from '@runnel/protocol';
import { ArtifactStore, StoredArtifact } from '@runnel/protocol';
import { toFlinkPlan } from '@runnel/dataflow';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ArtifactInspector, InspectedJob } from './artifact-inspector';
import { bundlePackageArtifact, isPackageArtifact } from './package-artifact';
import type { PackageLimits } from './package-archive.check';

const DEFAULT_PACKAGE_LIMITS = (maxArtifactBytes: number): PackageLimits => ({ maxUnpackedBytes: 4 * maxArtifactBytes, maxFiles: 10_000 });
import { checkParallelism } from './run-options.validator';

export const ARTIFACT_INSPECTOR = Symbol('ARTIFACT_INSPECTOR');
export const JOB_MASTER_GATEWAY = Symbol('JOB_MASTER_GATEWAY');
export const JAR_SETTINGS = Symbol('JAR_SETTINGS');

export interface JarSettings {
  readonly maxArtifactBytes: number;
  /** Limits of a .tgz package: ARTIFACT_MAX_UNPACKED_BYTES, ARTIFACT_MAX_FILES. */
  readonly package?: PackageLimits;
  readonly cacheDirectory: string;
  /** MAX_JOB_PARALLELISM, as the JobManager's (default 1024). */
  readonly maxJobParallelism?: number;
}

export interface RunOptions {
  readonly programArgs: string[];
  readonly parallelism?: number;
  readonly savepointPath?: string;
  readonly allowNonRestoredState?: boolean;
  readonly target?: 'session' | 'per-job';
}

@Injectable()
export class JarService {
  private readonly logger = new Logger('Jars');

  constructor(
    private readonly artifacts: ArtifactStore,
    @Inject(ARTIFACT_INSPECTOR) private readonly inspect: ArtifactInspector,
    @Inject(JOB_MASTER_GATEWAY) private readonly jobManager: JobMasterGateway,
    @Inject(JAR_SETTINGS) private readonly settings: JarSettings,
  ) {}

  async upload(uploaded: Uint8Array, uploadedName: string): Promise<StoredArtifact> {
    if (uploaded.length > this.settings.maxArtifactBytes) throw new ArtifactTooLargeError(uploaded.length, this.settings.maxArtifactBytes);
    if (uploaded.length === 0) throw new InvalidArtifactError(`Job artifact ${uploadedName} is empty`);
    // A package (.tgz) is bundled into the single-file module that is stored and run.
    const { bytes, filename } = isPackageArtifact(uploaded, uploadedName)
      ? await bundlePackageArtifact(uploaded, uploadedName, this.settings.package ?? DEFAULT_PACKAGE_LIMITS(this.settings.maxArtifactBytes))
      : { bytes: uploaded, filename: uploadedName };
    const directory = await mkdtemp(join(tmpdir(), 'runnel-upload-'));
    try {
      // Named as uploaded, so errors and stack traces point at the user's file name.
      const path = join(directory, basename(filename).replace(/[^A-Za-z0-9._-]/g, '_') || 'job.mjs');
      await writeFile(path, bytes);
      await this.check(path, filename, { programArgs: [] });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
    const stored = await this.artifacts.put(bytes, filename);
    this.logger.log(`stored job artifact ${filename} as ${stored.id} (${bytes.length} bytes)`);
    return stored;
  }

  /** For NATS clients that put the artifact in the bucket themselves: check it, or remove it. */
  async register(jarId: string): Promise<StoredArtifact> {
    const info = await this.artifacts.info(jarId);
    if (!info) throw new NotFoundError('Job artifact', jarId);
    try {
      await this.check(await this.artifacts.toFile(jarId, this.settings.cacheDirectory), info.name, { programArgs: [] });
    } catch (error) {
      await this.artifacts.delete(jarId).catch(() => undefined);
      throw error;
    }
    return info;
  }

  list(): Promise<StoredArtifact[]> {
    return this.artifacts.list();
  }

  delete(jarId: string): Promise<void> {
    return this.artifacts.delete(jarId);
  }

  async plan(jarId: string, options: RunOptions): Promise<{ plan: Record<string, unknown>; jobGraphHash: string }> {
    const inspected = await this.build(jarId, options);
    return { plan: toFlinkPlan(inspected.jobGraph) as unknown as Record<string, unknown>, jobGraphHash: inspected.jobGraphHash };
  }

  async run(jarId: string, options: RunOptions): Promise<Reply<SubmitJobReply>> {
    const inspected = await this.build(jarId, options);
    const jobId = JobIds.generate();
    const jobName = String((inspected.jobGraph as { jobName?: unknown }).jobName ?? 'Runnel Job');
    await this.jobManager.submitJob({
      jobId,
      jobName,
      artifactHash: jarId,
      programArgs: options.programArgs,
      ...(options.parallelism ? { parallelism: options.parallelism } : {}),
      jobGraph: inspected.jobGraph,
      jobGraphHash: inspected.jobGraphHash,
      ...(options.savepointPath ? { savepointPath: options.savepointPath } : {}),
      ...(options.allowNonRestoredState ? { allowNonRestoredState: true } : {}),
      ...(options.target ? { target: options.target } : {}),
    });
    this.logger.log(`submitted job ${jobId} (${jobName}) from artifact ${jarId}`);
    return { jobId };
  }

  /** A dry run of restoring a savepoint into the job this artifact builds: which state goes where. */
  async checkSavepoint(jarId: string, savepointPath: string, options: RunOptions) {
    const inspected = await this.build(jarId, options);
    return this.jobManager.checkSavepoint({ savepointPath, jobGraph: inspected.jobGraph });
  }

  private async build(jarId: string, options: RunOptions): Promise<InspectedJob> {
    checkParallelism(options.parallelism, this.settings.maxJobParallelism);
    const info = await this.artifacts.info(jarId);
    if (!info) throw new NotFoundError('Job artifact', jarId);
    return this.check(await this.artifacts.toFile(jarId, this.settings.cacheDirectory), info.name, options);
  }

  private async check(path: string, name: string, options: RunOptions): Promise<InspectedJob> {
    try {
      return await this.inspect({ path, programArgs: options.programArgs, ...(options.parallelism ? { parallelism: options.parallelism } : {}) });
    } catch (error) {
      if (error instanceof InvalidArtifactError) {
        error.message = `Job artifact ${name} is invalid: ${error.message}`;
      }
      throw error;
    }
  }
}
