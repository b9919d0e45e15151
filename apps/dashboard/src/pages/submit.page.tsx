/**
 * Submit a job: upload a job module (`POST /jars/upload`), then run an uploaded one with program
 * arguments, parallelism and optionally a savepoint (`POST /jars/:id/run`); the plan can be
 * previewed first (`POST /jars/:id/plan`). A run opens the new job's page.
 */
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { fmtBytes, fmtTime } from '../format';
import { navigate, usePoll } from '../hooks';
import type { PlanNode } from '../types';
import { JobGraph } from '../components/job-graph';
import { Loaded, Section } from '../components/ui';

interface Jar {
  id: string;
  name: string;
  uploaded: number;
  size?: number;
}

/** `--input "a b" -x 1` → ['--input', 'a b', '-x', '1']: spaces split, quotes group. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

const errorText = (e: unknown) => (e instanceof ApiError ? `${e.status}${e.code ? ' ' + e.code : ''}: ${e.message}` : (e as Error).message);

export function SubmitPage() {
  const jars = usePoll<{ files: Jar[] }>('jars', 5000);
  const [file, setFile] = useState<File | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  const upload = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    const form = new FormData();
    form.append('jarfile', file, file.name);
    setStatus({ ok: true, text: `Uploading ${file.name}…` });
    try {
      const r = await api.upload<{ id: string; filename: string }>('jars/upload', form);
      setStatus({ ok: true, text: `Uploaded ${r.filename}.` });
      setSelected(r.id);
      jars.reload();
    } catch (error) {
      setStatus({ ok: false, text: `Upload failed: ${errorText(error)}` });
    }
  };

  return (
    <div class="page" data-page="submit">
      <Section title="Upload a job">
        <form class="upload" onSubmit={upload}>
          <input type="file" name="jarfile" accept=".mjs,.js,.ts,.tgz" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} aria-label="job module" />
          <button type="submit" disabled={!file} data-action="upload">
            Upload
          </button>
        </form>
        <p class="muted small">A single-file ES module whose default export builds the pipeline, or an npm package (.tgz).</p>
        {status && (
          <p class={status.ok ? 'outcome ok' : 'outcome error'} data-testid="upload-status">
            {status.text}
          </p>
        )}
      </Section>
      <Section title="Uploaded jobs">
        <Loaded res={jars} what="Uploaded jobs">
          {(j) =>
            j.files.length === 0 ? (
              <p class="muted">Nothing uploaded yet.</p>
            ) : (
              <table class="grid jars-table">
                <thead>
                  <tr>
                    <th>name</th>
                    <th>uploaded</th>
                    <th>size</th>
                    <th>id</th>
                  </tr>
                </thead>
                <tbody>
                  {[...j.files].sort((a, b) => b.uploaded - a.uploaded).map((f) => (
                    <tr key={f.id} class={selected === f.id ? 'selected' : ''} data-jar-id={f.id}>
                      <td>
                        <a href="#/submit" onClick={(e) => (e.preventDefault(), setSelected(f.id))}>
                          {f.name}
                        </a>
                      </td>
                      <td>{fmtTime(f.uploaded)}</td>
                      <td>{fmtBytes(f.size)}</td>
                      <td class="mono">{f.id.slice(0, 16)}…</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Loaded>
      </Section>
      {selected && <RunForm key={selected} jarId={selected} name={jars.data?.files.find((f) => f.id === selected)?.name ?? selected} onDeleted={() => (setSelected(null), jars.reload())} />}
    </div>
  );
}

function RunForm({ jarId, name, onDeleted }: { jarId: string; name: string; onDeleted: () => void }) {
  const [args, setArgs] = useState('');
  const [parallelism, setParallelism] = useState('');
  const [savepoint, setSavepoint] = useState('');
  const [allowNonRestored, setAllowNonRestored] = useState(false);
  const [plan, setPlan] = useState<PlanNode[] | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);

  const body = () => ({
    programArgsList: splitArgs(args),
    ...(parallelism ? { parallelism: Number(parallelism) } : {}),
    ...(savepoint ? { savepointPath: savepoint, allowNonRestoredState: allowNonRestored } : {}),
  });
  const showPlan = async () => {
    try {
      const r = await api.post<{ plan: { nodes: PlanNode[] } }>(`jars/${jarId}/plan`, { programArgsList: splitArgs(args), ...(parallelism ? { parallelism: Number(parallelism) } : {}) });
      setPlan(r.plan?.nodes ?? []);
      setStatus(null);
    } catch (error) {
      setStatus({ ok: false, text: `Plan failed: ${errorText(error)}` });
    }
  };
  const run = async (e: Event) => {
    e.preventDefault();
    setStatus({ ok: true, text: 'Submitting…' });
    try {
      const r = await api.post<{ jobid: string }>(`jars/${jarId}/run`, body());
      navigate('jobs', r.jobid);
    } catch (error) {
      setStatus({ ok: false, text: `Run failed: ${errorText(error)}` });
    }
  };
  const remove = async () => {
    try {
      await api.delete(`jars/${jarId}`);
      onDeleted();
    } catch (error) {
      setStatus({ ok: false, text: `Delete failed: ${errorText(error)}` });
    }
  };
  return (
    <Section title={`Run ${name}`} id="run-form">
      <form class="run-form" onSubmit={run}>
        <label>
          Program arguments
          <input name="programArgs" value={args} onInput={(e) => setArgs((e.target as HTMLInputElement).value)} placeholder="--input words.txt --output /tmp/out/" />
        </label>
        <label>
          Parallelism
          <input name="parallelism" type="number" min="1" value={parallelism} onInput={(e) => setParallelism((e.target as HTMLInputElement).value)} placeholder="default" />
        </label>
        <label>
          Savepoint path
          <input name="savepointPath" value={savepoint} onInput={(e) => setSavepoint((e.target as HTMLInputElement).value)} placeholder="savepoint://<jobid>/<n> (optional)" />
        </label>
        <label class="check">
          <input type="checkbox" checked={allowNonRestored} onChange={(e) => setAllowNonRestored((e.target as HTMLInputElement).checked)} /> allow non-restored state
        </label>
        <div class="buttons">
          <button type="button" onClick={showPlan} data-action="plan">
            Show plan
          </button>
          <button type="submit" class="primary" data-action="run">
            Run
          </button>
          <button type="button" class="danger-outline" onClick={remove} data-action="delete-jar">
            Delete
          </button>
        </div>
      </form>
      {status && (
        <p class={status.ok ? 'outcome ok' : 'outcome error'} data-testid="run-status">
          {status.text}
        </p>
      )}
      {plan && <JobGraph nodes={plan} vertices={[]} live={new Map()} />}
    </Section>
  );
}
