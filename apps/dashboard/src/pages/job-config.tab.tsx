/** A job's configuration (Flink's `/jobs/:id/config`: execution config and user config), and its plan. */
import type { ComponentChildren } from 'preact';
import { usePoll } from '../hooks';
import { KeyValues, Loaded, Section } from '../components/ui';

function render(v: unknown): ComponentChildren {
  if (v === null || v === undefined) return '–';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(' ');
  if (typeof v === 'object') return <KeyValues entries={Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, render(x)])} />;
  return String(v);
}

export function JobConfigTab({ jobId }: { jobId: string }) {
  const config = usePoll<Record<string, unknown>>(`jobs/${jobId}/config`, 0);
  const plan = usePoll<Record<string, unknown>>(`jobs/${jobId}/plan`, 0);
  return (
    <>
      <Section title="Configuration">
        <Loaded res={config} what="Job configuration (GET /jobs/:id/config)">
          {(c) => <div data-testid="job-config">{render(c)}</div>}
        </Loaded>
      </Section>
      <Section title="Plan">
        <Loaded res={plan} what="Plan">
          {(p) => <pre class="json">{JSON.stringify(p, null, 2)}</pre>}
        </Loaded>
      </Section>
    </>
  );
}
