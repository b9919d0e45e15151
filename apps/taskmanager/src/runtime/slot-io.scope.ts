/**
 * What a slot's worker may do through its TaskManager's NATS connection: only what the job
 * attempts deployed into that slot need. Their data subjects and credit subjects, consumers on
 * their job's data stream — each named as its attempt's consumer of the subject it reads
 * (`a<attempt>-e<edge>-p<partition>`), since the job's attempts share the stream and one attempt
 * must not take over (or delete by recreating) another's — the state of their own tasks (vertex
 * and subtask) for the slot's job, and reading the checkpoint state their deployments name for
 * restore. Anything else is refused with a SlotIoRefusedError that says what and why.
 */
import type { CheckpointId, ClusterDataNames, JobId } from '@runnel/protocol';
import { CheckpointIds } from '@runnel/protocol/slot-runtime';
import { SlotIoRefusedError } from './slot-io.client';
import type { Deployment } from './task-runner';

const EDGE_AND_INDEX = /^\d{1,6}\.\d{1,6}$/;

export class SlotIoScope {
  /** Data subject prefix (`…data.<job>.<attempt>.`) → its attempt. */
  private readonly dataPrefixes = new Map<string, number>();
  private readonly creditPrefixes = new Set<string>();
  /** The newest attempt deployed here: an older one's names are no longer the slot's. */
  private attempt = -1;
  private readonly streams = new Set<string>();
  private readonly tasks = new Set<string>();
  private readonly restoreHandles = new Set<string>();

  constructor(
    private readonly slotIndex: number,
    private readonly jobId: JobId,
    private readonly names: ClusterDataNames,
  ) {}

  /** A deployment into the slot: its attempt's names become usable. */
  allow(d: Deployment): void {
    if (d.jobId !== this.jobId) return; // the TaskManager deploys only the slot's job; nothing to allow
    if (d.attempt < this.attempt) return; // a stale deployment: its attempt was superseded here
    if (d.attempt > this.attempt) {
      // A newer attempt: the old one was released (its consumers deleted, its records purged), and
      // a task of it that is still being cancelled may no longer publish into the job's stream.
      this.attempt = d.attempt;
      this.dataPrefixes.clear();
      this.creditPrefixes.clear();
    }
    this.dataPrefixes.set(stripLast2(this.names.subject(d.jobId, d.attempt, 0, 0)), d.attempt);
    this.creditPrefixes.add(stripLast2(this.names.credit(d.jobId, d.attempt, 0, 0)));
    // The name the TaskManager derives for the slot's job, not the deployment's word for it.
    this.streams.add(this.names.stream(d.jobId));
    this.tasks.add(taskKey(d.vertexId, d.subtaskIndex));
    for (const h of d.restore?.handles ?? []) this.restoreHandles.add(h.handle);
  }

  checkDataSubject(subject: string): void {
    if (attemptOf(this.dataPrefixes, subject) === undefined) this.refuse(`publish to ${subject}`, 'it is not a data subject of the job attempts deployed in this slot');
  }

  checkCreditSubject(subject: string): void {
    if (!hasPrefix(this.creditPrefixes, subject)) this.refuse(`use of ${subject}`, 'it is not a credit subject of the job attempts deployed in this slot');
  }

  checkConsumer(stream: string, durable: string, filterSubject: string): void {
    if (!this.streams.has(stream)) this.refuse(`a consumer on stream ${stream}`, 'it is not the data stream of a job attempt deployed in this slot');
    const attempt = attemptOf(this.dataPrefixes, filterSubject);
    if (attempt === undefined) this.refuse(`a consumer of ${filterSubject}`, 'it is not a data subject of the job attempts deployed in this slot');
    const [edge, partition] = lastTwo(filterSubject).split('.').map(Number);
    const expected = this.names.consumer(attempt, edge, partition);
    if (durable !== expected) this.refuse(`a consumer named ${JSON.stringify(durable)} of ${filterSubject}`, `that subject's consumer is ${expected}`);
  }

  /**
   * The worker's request is untrusted input (user code runs there): its ids are checked here and
   * come back branded — the slot's own job id, and a checkpoint id that CheckpointIds accepts.
   */
  checkStateWrite(jobId: string, checkpointId: number, vertexId: string, subtask: number): { jobId: JobId; checkpointId: CheckpointId } {
    if (jobId !== this.jobId) this.refuse(`writing checkpoint state of job ${jobId}`, `the slot runs job ${this.jobId}`);
    if (!CheckpointIds.isValid(checkpointId)) this.refuse(`writing checkpoint state for checkpoint ${checkpointId}`, 'not a checkpoint id');
    if (!this.tasks.has(taskKey(vertexId, subtask))) this.refuse(`writing checkpoint state of ${vertexId} (subtask ${subtask})`, 'that task is not deployed in this slot');
    return { jobId: this.jobId, checkpointId };
  }

  checkStateRead(handle: string): void {
    if (!this.restoreHandles.has(handle)) this.refuse(`reading checkpoint state ${handle}`, 'no deployment into this slot restores it');
  }

  private refuse(what: string, why: string): never {
    throw new SlotIoRefusedError(`slot ${this.slotIndex} (job ${this.jobId}) may not do this through its TaskManager: ${what}: ${why}`);
  }
}

function taskKey(vertexId: string, subtask: number): string {
  return `${subtask}\u0000${vertexId}`;
}

/** `a.b.<edge>.<index>` → `a.b.` */
function stripLast2(subject: string): string {
  return subject.replace(/\d+\.\d+$/, '');
}

/** `a.b.<edge>.<index>` → `<edge>.<index>` */
function lastTwo(subject: string): string {
  return /\d+\.\d+$/.exec(subject)?.[0] ?? '';
}

/** The attempt whose data subject `subject` is (`<prefix><edge>.<index>`), or undefined. */
function attemptOf(prefixes: ReadonlyMap<string, number>, subject: string): number | undefined {
  if (typeof subject !== 'string') return undefined;
  for (const [prefix, attempt] of prefixes) if (subject.startsWith(prefix) && EDGE_AND_INDEX.test(subject.slice(prefix.length))) return attempt;
  return undefined;
}

function hasPrefix(prefixes: ReadonlySet<string>, subject: string): boolean {
  if (typeof subject !== 'string') return false;
  for (const prefix of prefixes) if (subject.startsWith(prefix) && EDGE_AND_INDEX.test(subject.slice(prefix.length))) return true;
  return false;
}
