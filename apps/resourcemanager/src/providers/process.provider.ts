/**
 * The `process` resource provider: TaskManagers as child processes on the ResourceManager's host.
 * They are deliberately not tied to the life of this ResourceManager instance (own process group,
 * no parent-death signal): when it fails over, the new leader adopts them — they re-register, and
 * the registry knows them as provider-managed — and releases them when idle. They do inherit
 * RUNNEL_PARENT_PID, so under the local cluster none outlives the cluster itself.
 */
import { Logger } from '@nestjs/common';
import { NATS_CREDENTIAL_ENV, ResourceId, ResourceIds } from '@runnel/protocol';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ProvidedTaskManager, ResourceProvider, ResourceProviderEvents, TaskManagerSpec } from './resource-provider.types';
import type { JobCredentialsMinter } from './job-credentials.minter';

export interface ProcessProviderOptions {
  /** The TaskManager's entry point (apps/taskmanager/dist/main.js). */
  readonly entryPoint: string;
  readonly natsUrl: string;
  /** Each TaskManager's output goes to `<logDir>/<resourceId>.log`. */
  readonly logDir: string;
  /** Extra environment for every TaskManager (CHECKPOINT_DIR, LOG_LEVEL, …). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Mints a NATS user of its own for each TaskManager started for one job (operator mode); without it they share the TaskManagers' credentials. */
  readonly minter?: JobCredentialsMinter;
}

/** Variables of ours a TaskManager must not inherit: they name this service, not it. */
const NOT_INHERITED = ['DATABASE_URL', 'HTTP_PORT', 'RESOURCE_ID', 'RESOURCE_PROVIDER', 'TM_DEDICATED_TO', 'TM_PROVIDER', 'TM_NATS_ACCOUNT_SEED_FILE', 'TM_NATS_ACCOUNT'];

/**
 * What a per-job TaskManager with a minted user must not hold: every NATS identity but its own
 * (TLS trust and client certificates stay: they are how it reaches the server, not who it is),
 * and the cluster's REST admin token (it gets a random one of its own; read-only tokens stay, so
 * its /metrics can still be scraped).
 */
const NOT_FOR_A_JOB = [
  ...(['user', 'password', 'token', 'nkeySeedFile', 'credsFile', 'inboxPrefix'] as const).map((key) => NATS_CREDENTIAL_ENV[key]),
  'REST_AUTH_TOKEN',
  'REST_AUTH_TOKEN_FILE',
];

export class ProcessResourceProvider implements ResourceProvider {
  readonly name = 'process' as const;
  readonly managesTaskManagers = true;
  private readonly logger = new Logger('ProcessResourceProvider');
  private readonly children = new Map<string, { pid: number; releasing: boolean }>();

  constructor(private readonly options: ProcessProviderOptions) {
    mkdirSync(options.logDir, { recursive: true });
  }

  async requestTaskManagers(n: number, spec: TaskManagerSpec, events: ResourceProviderEvents): Promise<ResourceId[]> {
    const ids: ResourceId[] = [];
    for (let i = 0; i < n; i++) ids.push(await this.startOne(spec, events));
    return ids;
  }

  private async startOne(spec: TaskManagerSpec, events: ResourceProviderEvents): Promise<ResourceId> {
    const resourceId = ResourceIds.parse(`tm-${spec.dedicatedTo ? `job${spec.dedicatedTo.slice(0, 6)}-` : ''}${randomBytes(4).toString('hex')}`);
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of NOT_INHERITED) delete env[key];
    Object.assign(env, {
      NATS_URL: this.options.natsUrl,
      RESOURCE_ID: resourceId,
      TM_SLOTS: String(spec.slots),
      TM_PROVIDER: 'process',
      HTTP_PORT: '0',
      ...(spec.dedicatedTo ? { TM_DEDICATED_TO: spec.dedicatedTo } : {}),
      // Its output is written to <logDir>/<resourceId>.log below: the TaskManager serves that file (and its .out) itself.
      LOG_DIR: this.options.logDir,
      LOG_NAME: resourceId,
      LOG_TO_FILE: 'false',
    });
    for (const [key, value] of Object.entries(this.options.env ?? {})) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    // A TaskManager for one job runs its slots as processes unless told otherwise (TM_SLOT_ISOLATION
    // here): it is the isolated choice, and a process contains what a thread cannot (Buffers
    // without bound, process.abort, native crashes, signals to itself).
    if (spec.dedicatedTo && !env['TM_SLOT_ISOLATION']) env['TM_SLOT_ISOLATION'] = 'process';
    const minted = spec.dedicatedTo && this.options.minter ? await this.options.minter.mint(resourceId, spec.dedicatedTo, spec.restoresFrom) : undefined;
    if (minted) {
      for (const key of NOT_FOR_A_JOB) delete env[key];
      Object.assign(env, { NATS_CREDS: minted.credsFile, NATS_INBOX_PREFIX: minted.inboxPrefix, REST_AUTH_TOKEN: randomBytes(24).toString('base64url') });
    }
    const logFile = join(this.options.logDir, `${resourceId}.log`);
    const fd = openSync(logFile, 'a');
    let child;
    try {
      child = spawn(process.execPath, [this.options.entryPoint], { env, detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) this.options.minter?.forget(resourceId);
    if (child.pid === undefined) throw new Error(`could not start a TaskManager (${process.execPath} ${this.options.entryPoint})`);
    child.unref();
    const record = { pid: child.pid, releasing: false };
    this.children.set(resourceId, record);
    this.logger.log(`started TaskManager ${resourceId} (pid ${child.pid}, ${spec.slots} slots${spec.dedicatedTo ? `, for job ${spec.dedicatedTo}` : ''}${minted ? `, NATS user ${minted.user} for that job alone` : ''}); output in ${logFile}`);
    events.started(resourceId, spec);
    child.once('exit', (code, signal) => {
      this.children.delete(resourceId);
      this.options.minter?.forget(resourceId);
      const description = `TaskManager ${resourceId} (pid ${record.pid}) exited with ${signal ? `signal ${signal}` : `code ${code}`}${tailOf(logFile)}`;
      events.lost({ resourceId, released: record.releasing, description });
    });
    return resourceId;
  }

  async release(taskManager: ProvidedTaskManager): Promise<void> {
    const own = this.children.get(taskManager.resourceId);
    if (own) {
      own.releasing = true;
      signal(own.pid, 'SIGTERM');
      return;
    }
    // Adopted from an earlier leader: on this host, its registered pid is the process.
    if (taskManager.hostname !== hostname()) {
      this.logger.warn(`cannot release TaskManager ${taskManager.resourceId}: it runs on ${taskManager.hostname}, not on ${hostname()}`);
      return;
    }
    signal(taskManager.pid, 'SIGTERM');
  }

  running(): ReadonlySet<string> {
    return new Set(this.children.keys());
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** The last lines of a TaskManager's output, for the reason of a crash. */
function tailOf(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-3);
    const text = lines.map((l) => summarise(l)).join(' | ');
    return text ? `; last output: ${text}` : '';
  } catch {
    return '';
  }
}

function summarise(line: string): string {
  try {
    const parsed = JSON.parse(line) as { msg?: unknown };
    if (typeof parsed.msg === 'string') return parsed.msg.slice(0, 300);
  } catch {
    // not a JSON log line
  }
  return line.slice(0, 300);
}
