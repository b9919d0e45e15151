/**
 * Flink's flame graph of a vertex: a CPU profile of the slot workers running its subtasks for a
 * few seconds (`GET /jobs/:id/vertices/:vid/flamegraph`, V8's sampling profiler), drawn with
 * d3-flame-graph as Flink's web UI draws it. Taken on request, not polled: profiling costs the
 * worker CPU. A worker runs every subtask of its slot, so frames of the slot's other tasks show too.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { select } from 'd3-selection';
import flamegraph, { type FlameGraphNode } from 'd3-flame-graph';
import { api, ApiError, NotAvailableError } from '../api';
import { fmtTime } from '../format';
import { Section } from '../components/ui';
import type { JobDetails } from '../types';

interface FlameGraphReply {
  endTimestamp: number;
  data: FlameGraphNode | null;
  note?: string;
  failures?: string[];
}

type Taken = { kind: 'idle' } | { kind: 'busy' } | { kind: 'error'; text: string } | { kind: 'ok'; reply: FlameGraphReply; durationMs: number };

const DURATIONS_MS = [1000, 3000, 10_000];
/** Flink's flame graph types that a V8 profile can give: on-CPU (idle samples left out) first, as Flink's UI. */
const TYPES: [string, string][] = [
  ['ON_CPU', 'On-CPU'],
  ['FULL', 'Full (with idle)'],
];

function message(error: unknown): string {
  if (error instanceof NotAvailableError) return 'not available on this cluster';
  if (error instanceof ApiError) return `${error.status}${error.code ? ' ' + error.code : ''}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function status(taken: Taken): string {
  switch (taken.kind) {
    case 'idle':
      return 'Take a profile to see where the vertex spends its CPU time.';
    case 'busy':
      return 'Profiling…';
    case 'error':
      return `Profiling failed: ${taken.text}`;
    case 'ok': {
      const { reply, durationMs } = taken;
      if (!reply.data || reply.data.value === 0) return reply.note ?? 'No samples: the workers were idle (the full profile shows idle time too).';
      const failed = reply.failures?.length ? ` (not profiled: ${reply.failures.join('; ')})` : '';
      return `${reply.data.value} samples over ${durationMs / 1000} s, taken at ${fmtTime(reply.endTimestamp)}${failed}`;
    }
  }
}

export function JobFlameGraphTab({ job, vertexId }: { job: JobDetails; vertexId?: string }) {
  const [vertex, setVertex] = useState(vertexId && job.vertices.some((v) => v.id === vertexId) ? vertexId : (job.vertices[0]?.id ?? ''));
  const [durationMs, setDurationMs] = useState(3000);
  const [type, setType] = useState('ON_CPU');
  const [taken, setTaken] = useState<Taken>({ kind: 'idle' });
  const chartEl = useRef<HTMLDivElement>(null);
  const data = taken.kind === 'ok' ? taken.reply.data : null;

  useEffect(() => {
    const el = chartEl.current;
    if (!el) return;
    el.replaceChildren();
    if (!data || data.value === 0) return;
    const chart = flamegraph().width(Math.max(320, el.clientWidth)).cellHeight(18).minFrameSize(2).transitionDuration(0);
    select(el).datum(data).call(chart);
    return () => chart.destroy();
  }, [data]);

  const take = async () => {
    setTaken({ kind: 'busy' });
    try {
      const reply = await api.get<FlameGraphReply>(`jobs/${job.jid}/vertices/${encodeURIComponent(vertex)}/flamegraph?durationMs=${durationMs}&type=${type}`);
      setTaken({ kind: 'ok', reply, durationMs });
    } catch (error) {
      setTaken({ kind: 'error', text: message(error) });
    }
  };

  return (
    <Section
      title="Flame graph"
      actions={
        <span class="actions">
          <select aria-label="Vertex" data-testid="flamegraph-vertex" value={vertex} onChange={(e) => setVertex((e.target as HTMLSelectElement).value)}>
            {job.vertices.map((v) => (
              <option value={v.id}>{v.name}</option>
            ))}
          </select>
          <select aria-label="Duration" value={durationMs} onChange={(e) => setDurationMs(Number((e.target as HTMLSelectElement).value))}>
            {DURATIONS_MS.map((ms) => (
              <option value={ms}>{ms / 1000} s</option>
            ))}
          </select>
          <select aria-label="Type" data-testid="flamegraph-type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
            {TYPES.map(([t, label]) => (
              <option value={t}>{label}</option>
            ))}
          </select>
          <button class="primary" data-action="flamegraph" disabled={taken.kind === 'busy' || !vertex} onClick={() => void take()}>
            Profile
          </button>
        </span>
      }
    >
      <p class={taken.kind === 'error' ? 'error small' : 'muted small'} data-testid="flamegraph-status">
        {status(taken)}
      </p>
      <div class="flamegraph" data-testid="flamegraph" ref={chartEl} />
    </Section>
  );
}
