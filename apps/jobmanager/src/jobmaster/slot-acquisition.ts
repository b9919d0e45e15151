/**
 * A job's slot request to the ResourceManager: retried while too few slots are free (the job's
 * status message says how many it needs and has), through a ResourceManager failover, until the
 * slot request timeout. Flink's NoResourceAvailableException ends it, with what to do about it.
 */
import { DeploymentTarget, JobId, NotEnoughSlotsError, RunnelError, SlotAllocation, TaskFailure } from '@runnel/protocol';

export interface SlotAcquisition {
  readonly jobId: JobId;
  readonly needed: number;
  readonly target?: DeploymentTarget;
  readonly timeoutMs: number;
  readonly retryIntervalMs: number;
  readonly clock: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly signal: AbortSignal;
  /** The ResourceManager's requestSlots, waiting out its failover. */
  readonly request: (body: { jobId: JobId; count: number; target?: DeploymentTarget }) => Promise<{ allocations: readonly SlotAllocation[] }>;
  /** The job's status message while it waits (undefined once it has its slots). */
  readonly onWaiting: (message: string | undefined) => void;
}

export type SlotAcquisitionResult =
  | { readonly allocations: readonly SlotAllocation[] }
  | { readonly timedOut: TaskFailure }
  | { readonly aborted: true };

export async function acquireSlots(a: SlotAcquisition): Promise<SlotAcquisitionResult> {
  const deadline = a.clock() + a.timeoutMs;
  for (;;) {
    if (a.signal.aborted) return { aborted: true };
    try {
      const { allocations } = await a.request({ jobId: a.jobId, count: a.needed, ...(a.target ? { target: a.target } : {}) });
      a.onWaiting(undefined);
      return { allocations };
    } catch (error) {
      if (!(error instanceof RunnelError && error.code === 'NOT_ENOUGH_SLOTS')) throw error;
      const details = error.details as { available?: number; note?: string } | undefined;
      const available = (error as NotEnoughSlotsError).available ?? details?.available ?? 0;
      const note = (error as NotEnoughSlotsError).note ?? details?.note;
      a.onWaiting(`Waiting for slots: the job needs ${a.needed}, ${available} are free${note ? `; ${note}` : ''}`);
      if (a.clock() >= deadline) {
        return {
          timedOut: {
            name: 'NoResourceAvailableException',
            message: `Could not acquire the minimum required resources: the job needs ${a.needed} slots, ${available} were free after waiting ${a.timeoutMs} ms${note ? ` (${note})` : ''}. Start more TaskManagers (or more slots per TaskManager), or lower the parallelism.`,
          },
        };
      }
      await a.sleep(a.retryIntervalMs, a.signal).catch(() => undefined);
    }
  }
}
