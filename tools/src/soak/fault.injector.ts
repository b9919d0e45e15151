// Random SIGKILLs of cluster members, each proven (the process is gone and the supervisor started a
// new one) and followed until the jobs recover: every job running at the kill has completed a
// checkpoint triggered after it (or finished).
import { isProcessAlive, waitFor } from '../infra';
import { getJson } from '../cluster/rest.client';
import type { ClusterMemberInfo } from '../cluster/local-cluster';
import type { JobView } from './soak.jobs';

export const FaultKind = {
  TaskManager: 'taskmanager',
  JobManagerLeader: 'jobmanager leader',
  ResourceManagerLeader: 'resourcemanager leader',
  Nats: 'nats server',
} as const;
export type FaultKind = (typeof FaultKind)[keyof typeof FaultKind];

export interface FaultRecord {
  readonly n: number;
  readonly kind: FaultKind;
  readonly victim: string;
  readonly pid: number;
  /** Ms since the soak started. */
  readonly at: number;
  /** Until the supervisor ran a new process of the victim. */
  readonly restartedMs?: number;
  /** Until another instance led (leader kills). */
  readonly newLeaderMs?: number;
  /** Until every affected job checkpointed again (or finished); undefined when it did not recover. */
  readonly recoveryMs?: number;
  readonly jobs: number;
  readonly error?: string;
}

export interface FaultTarget {
  members(): ClusterMemberInfo[];
  /** Ids of the jobs not finished yet. */
  runningJobs(): string[];
  view(jobId: string): Promise<JobView | undefined>;
}

/** mulberry32: the fault schedule is reproducible from the seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RECOVERY_TIMEOUT_MS = 240_000;

async function roleOf(member: ClusterMemberInfo): Promise<string | undefined> {
  try {
    const health = await getJson<{ info?: { leadership?: { role?: string } } }>(`http://127.0.0.1:${member.port}/health`, 2000);
    return health.body?.info?.leadership?.role;
  } catch {
    return undefined;
  }
}

/** The one live leader of a control service, when exactly one says so. */
async function leaderOf(target: FaultTarget, role: ClusterMemberInfo['role'], except?: number): Promise<ClusterMemberInfo | undefined> {
  const live = target.members().filter((m) => m.role === role && m.alive && m.port !== undefined && m.pid !== except);
  const roles = await Promise.all(live.map(roleOf));
  const leaders = live.filter((_, i) => roles[i] === 'leader');
  return leaders.length === 1 ? leaders[0] : undefined;
}

export class FaultInjector {
  readonly faults: FaultRecord[] = [];
  private order: FaultKind[] = [];

  constructor(
    private readonly target: FaultTarget,
    private readonly random: () => number,
    private readonly startedAt: number,
    private readonly print: (line: string) => void,
    private readonly kinds: readonly FaultKind[] = Object.values(FaultKind),
  ) {}

  /** Kinds in shuffled rounds of all those chosen, so every kind is injected about equally often. */
  private nextKind(): FaultKind {
    if (this.order.length === 0) {
      this.order = [...this.kinds];
      for (let i = this.order.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
      }
    }
    return this.order.shift() as FaultKind;
  }

  private async victimFor(kind: FaultKind): Promise<ClusterMemberInfo | undefined> {
    const members = this.target.members().filter((m) => m.alive);
    if (kind === FaultKind.TaskManager) {
      const tms = members.filter((m) => m.role === 'taskmanager');
      return tms[Math.floor(this.random() * tms.length)];
    }
    if (kind === FaultKind.Nats) return members.find((m) => m.role === 'infra' && m.name.startsWith('nats'));
    const role = kind === FaultKind.JobManagerLeader ? 'jobmanager' : 'resourcemanager';
    return waitFor(() => leaderOf(this.target, role), { description: `one ${role} leader`, timeoutMs: 60_000, intervalMs: 200 }).catch(() => undefined);
  }

  /** Injects one fault and follows it to recovery; returns its record. */
  async injectOne(): Promise<FaultRecord> {
    const kind = this.nextKind();
    const n = this.faults.length + 1;
    const victim = await this.victimFor(kind);
    if (!victim) {
      const record: FaultRecord = { n, kind, victim: '-', pid: 0, at: Date.now() - this.startedAt, jobs: 0, error: `no ${kind} to kill` };
      this.faults.push(record);
      return record;
    }
    const jobs = this.target.runningJobs();
    const killedAt = Date.now();
    this.print(`fault ${n}: SIGKILL ${kind} ${victim.name} (pid ${victim.pid}); ${jobs.length} job(s) running`);
    process.kill(victim.pid, 'SIGKILL');
    const base = { n, kind, victim: victim.name, pid: victim.pid, at: killedAt - this.startedAt, jobs: jobs.length };
    try {
      await waitFor(() => !isProcessAlive(victim.pid), { description: `pid ${victim.pid} to be gone`, timeoutMs: 10_000, intervalMs: 20 });
      const newLeader =
        kind === FaultKind.JobManagerLeader || kind === FaultKind.ResourceManagerLeader
          ? waitFor(() => leaderOf(this.target, victim.role, victim.pid), { description: `a new ${victim.role} leader`, timeoutMs: RECOVERY_TIMEOUT_MS, intervalMs: 100 }).then(
              () => Date.now() - killedAt,
            )
          : Promise.resolve(undefined);
      const restarted = waitFor(
        () => this.target.members().some((m) => m.name === victim.name && m.alive && m.pid !== victim.pid),
        { description: `${victim.name} to be started again`, timeoutMs: RECOVERY_TIMEOUT_MS, intervalMs: 50 },
      ).then(() => Date.now() - killedAt);
      const recovered = Promise.all(jobs.map((jobId) => this.recovered(jobId, killedAt))).then(() => Date.now() - killedAt);
      const [restartedMs, newLeaderMs, recoveryMs] = await Promise.all([restarted, newLeader, recovered]);
      const record: FaultRecord = { ...base, restartedMs, recoveryMs, ...(newLeaderMs !== undefined ? { newLeaderMs } : {}) };
      this.faults.push(record);
      this.print(
        `fault ${n}: recovered in ${(recoveryMs / 1000).toFixed(1)} s (restarted after ${(restartedMs / 1000).toFixed(1)} s` +
          (newLeaderMs !== undefined ? `, new leader after ${(newLeaderMs / 1000).toFixed(1)} s` : '') +
          ')',
      );
      return record;
    } catch (error) {
      const record: FaultRecord = { ...base, error: (error as Error).message };
      this.faults.push(record);
      this.print(`fault ${n}: NOT recovered: ${record.error}`);
      return record;
    }
  }

  /** The job finished, or failed (reported as such by the round), or completed a checkpoint triggered after the fault. */
  private recovered(jobId: string, killedAt: number): Promise<unknown> {
    let failed: Error | undefined;
    return waitFor(
      async () => {
        const view = await this.target.view(jobId);
        if (!view) return false;
        if (view.state === 'FAILED' || view.state === 'CANCELED') failed = new Error(`job ${jobId} ${view.state}`);
        return view.state === 'FINISHED' || (view.state === 'RUNNING' && (view.latestCompletedTrigger ?? 0) > killedAt);
      },
      {
        description: `job ${jobId} to complete a checkpoint triggered after the fault`,
        timeoutMs: RECOVERY_TIMEOUT_MS,
        intervalMs: 250,
        abortIf: () => failed,
      },
    );
  }
}
