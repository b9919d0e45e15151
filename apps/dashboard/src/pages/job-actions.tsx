/**
 * A job's actions: savepoint, stop with savepoint, cancel, trigger a checkpoint. Each shows what
 * happened (the savepoint's location once it completed, or the error); cancel and stop ask for a
 * second click first.
 */
import { useState } from 'preact/hooks';
import { api, ApiError, NotAvailableError } from '../api';

interface Props {
  jobId: string;
  running: boolean;
  onDone: () => void;
}

type Outcome = { kind: 'busy' | 'ok' | 'error'; text: string } | null;

interface SavepointStatus {
  status: { id: string };
  operation?: { location?: string; 'failure-cause'?: { 'stack-trace'?: string; class?: string } | string };
}

async function awaitSavepoint(jobId: string, triggerId: string): Promise<string> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const s = await api.get<SavepointStatus>(`jobs/${jobId}/savepoints/${triggerId}`);
    if (s.status.id === 'COMPLETED') {
      const cause = s.operation?.['failure-cause'];
      if (cause) throw new Error(typeof cause === 'string' ? cause : (cause['stack-trace'] ?? cause.class ?? 'savepoint failed'));
      return s.operation?.location ?? '(no location)';
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error('the savepoint did not complete within 120 s');
}

function message(error: unknown): string {
  if (error instanceof NotAvailableError) return 'not available on this cluster';
  if (error instanceof ApiError) return `${error.status}${error.code ? ' ' + error.code : ''}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

export function JobActions({ jobId, running, onDone }: Props) {
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [confirming, setConfirming] = useState<null | 'cancel' | 'stop'>(null);
  const [targetDir, setTargetDir] = useState('');
  const busy = outcome?.kind === 'busy';

  const run = async (label: string, action: () => Promise<string>) => {
    setConfirming(null);
    setOutcome({ kind: 'busy', text: `${label}…` });
    try {
      setOutcome({ kind: 'ok', text: await action() });
    } catch (error) {
      setOutcome({ kind: 'error', text: `${label} failed: ${message(error)}` });
    }
    onDone();
  };
  const dir = () => (targetDir.trim() ? { 'target-directory': targetDir.trim() } : {});

  const savepoint = () =>
    run('Savepoint', async () => {
      const { 'request-id': id } = await api.post<{ 'request-id': string }>(`jobs/${jobId}/savepoints`, { ...dir(), 'cancel-job': false });
      return `Savepoint completed: ${await awaitSavepoint(jobId, id)}`;
    });
  const stop = () =>
    run('Stop with savepoint', async () => {
      const body = targetDir.trim() ? { targetDirectory: targetDir.trim() } : {};
      const { 'request-id': id } = await api.post<{ 'request-id': string }>(`jobs/${jobId}/stop`, body);
      return `Stopped with savepoint ${await awaitSavepoint(jobId, id)}`;
    });
  const cancel = () =>
    run('Cancel', async () => {
      await api.patch(`jobs/${jobId}?mode=cancel`);
      return 'Cancel requested.';
    });
  const checkpoint = () =>
    run('Checkpoint', async () => {
      const r = await api.post<{ 'request-id'?: string }>(`jobs/${jobId}/checkpoints`, {});
      return `Checkpoint triggered${r['request-id'] ? ` (request ${r['request-id']})` : ''}.`;
    });

  return (
    <div class="actions" data-testid="job-actions">
      <input class="target-dir" placeholder="savepoint dir (optional)" value={targetDir} onInput={(e) => setTargetDir((e.target as HTMLInputElement).value)} aria-label="savepoint directory" />
      <button onClick={savepoint} disabled={!running || busy} data-action="savepoint">
        Savepoint
      </button>
      <button onClick={checkpoint} disabled={!running || busy} data-action="checkpoint">
        Checkpoint
      </button>
      {confirming === 'stop' ? (
        <button class="danger" onClick={stop} data-action="confirm-stop">
          Confirm stop
        </button>
      ) : (
        <button onClick={() => setConfirming('stop')} disabled={!running || busy} data-action="stop">
          Stop with savepoint
        </button>
      )}
      {confirming === 'cancel' ? (
        <button class="danger" onClick={cancel} data-action="confirm-cancel">
          Confirm cancel
        </button>
      ) : (
        <button class="danger-outline" onClick={() => setConfirming('cancel')} disabled={!running || busy} data-action="cancel">
          Cancel job
        </button>
      )}
      {outcome && (
        <p class={'outcome ' + outcome.kind} data-testid="action-outcome" role="status">
          {outcome.text}
        </p>
      )}
    </div>
  );
}
