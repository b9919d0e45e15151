/**
 * The watermark view: each vertex's lowest input watermark and, from Runnel's
 * `/jobs/:id/watermarks`, which input holds it back — the lagging channel, or an idle one — by
 * name. Per subtask, Flink's `/jobs/:id/vertices/:vid/watermarks` (`currentInputWatermark`).
 * Either endpoint may be missing (404): the view says so and shows what the other gives.
 *
 * Whether the job has event-time operators at all is read from its plan (the operator kinds of
 * each vertex's chain), not from live watermarks: a finished job's operators wait for nothing and
 * may report nothing live, yet it has them — the view then lists them with their last watermark
 * and says the job ended, never "no event-time operator".
 */
import type { ComponentChildren } from 'preact';
import { fmtDuration, fmtWatermark } from '../format';
import { usePoll } from '../hooks';
import type { JobDetails, MetricValue, PlanNode } from '../types';
import { Loaded, Section } from '../components/ui';
import type { VertexLive } from '../components/vertex-live';

/** What the view reads of one "held back by" entry; the names vary, so several spellings are read. */
type Hold = Record<string, unknown>;
type Entry = Record<string, unknown>;

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

function pick(o: Entry, ...keys: string[]): unknown {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}

/**
 * "idle input 0, channel 3: Bids subtask 1 at 2026-… , silent 4.0 s". Reads the metrics endpoint's
 * `heldBackBy` ({channel, input, upstreamVertex: {id, name}, upstreamSubtask, watermark, idle,
 * silentMs}) and a few other spellings.
 */
export function describeHold(h: Hold): string {
  const upstream = pick(h, 'upstreamVertex', 'upstream', 'from', 'source');
  const name = (upstream && typeof upstream === 'object' ? str(pick(upstream as Entry, 'name', 'id')) : str(upstream)) ?? str(pick(h, 'name', 'inputName', 'vertexName'));
  const input = str(pick(h, 'input'));
  const channel = str(pick(h, 'channel', 'inputChannel'));
  const sub = str(pick(h, 'upstreamSubtask', 'subtask'));
  const wm = num(pick(h, 'watermark', 'value'));
  const idle = pick(h, 'idle', 'isIdle') === true;
  const silent = num(pick(h, 'silentMs', 'idleMs'));
  const where = [input !== undefined ? `input ${input}` : undefined, channel !== undefined ? `channel ${channel}` : undefined].filter(Boolean).join(', ');
  const who = [name, sub !== undefined ? `subtask ${sub}` : undefined].filter(Boolean).join(' ');
  return `${idle ? 'idle' : 'lagging'} ${where || 'input'}${who ? `: ${who}` : ''}${wm !== undefined ? ` at ${fmtWatermark(wm)}` : ''}${silent !== undefined ? `, silent ${fmtDuration(silent)}` : ''}`;
}

function holdOf(e: Entry): Hold | undefined {
  const h = pick(e, 'heldBy', 'heldBackBy', 'hold', 'holding', 'laggingInput', 'lagging', 'idleInput', 'minInput');
  return h && typeof h === 'object' ? (h as Hold) : typeof h === 'string' ? { name: h } : undefined;
}

function vertexEntries(view: unknown): Entry[] {
  if (Array.isArray(view)) return view as Entry[];
  if (view && typeof view === 'object') {
    const v = view as Entry;
    const list = pick(v, 'vertices', 'tasks', 'operators');
    if (Array.isArray(list)) return list as Entry[];
  }
  return [];
}

/** The operator kinds that work in event time (the JobManager's watermark view lists the same). */
export const EVENT_TIME_KINDS: ReadonlySet<string> = new Set(['window', 'keyed-process', 'keyed-co-process', 'interval-join']);

/** The plan's vertices with an event-time operator: its `operator` is the chain of kinds, `a -> b` or `a -> (b, c)`. */
export function eventTimeNodes(nodes: readonly PlanNode[] | undefined): PlanNode[] {
  return (nodes ?? []).filter((n) => (n.operator ?? '').split(/->|[(),\s]+/).some((k) => EVENT_TIME_KINDS.has(k)));
}

const ENDED_STATES: ReadonlySet<string> = new Set(['FINISHED', 'CANCELED', 'FAILED', 'SUSPENDED']);

export function JobWatermarksTab({ job, live }: { job: JobDetails; live: Map<string, VertexLive> }) {
  const ended = ENDED_STATES.has(job.state);
  const view = usePoll<unknown>(`jobs/${job.jid}/watermarks`, ended ? 0 : 2000);
  const names = new Map(job.vertices.map((v) => [v.id, v.name]));
  const planned = eventTimeNodes(job.plan?.nodes);
  const endedNote = ended && (
    <p data-testid="watermarks-ended">
      This job {job.state}: its operators no longer report watermarks live. {planned.length > 0 ? 'Shown are the last watermarks they reported, where the JobManager still keeps them.' : ''}
    </p>
  );
  // The plan's event-time vertices, for when the watermark view has none to show.
  const fromPlan = (why: ComponentChildren) => (
    <>
      {why}
      <table class="grid">
        <thead>
          <tr>
            <th>event-time vertex</th>
            <th>operators</th>
          </tr>
        </thead>
        <tbody>
          {planned.map((n) => (
            <tr key={n.id} data-vertex-id={n.id}>
              <td>{names.get(n.id) ?? n.description}</td>
              <td class="muted small">{n.operator}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
  if (view.notAvailable && ended && planned.length > 0) {
    return (
      <>
        <Section title="Watermarks">
          <div data-testid="watermark-view">
            {endedNote}
            {fromPlan(<p class="muted">The watermark view (GET /jobs/:id/watermarks) is no longer available for this job.</p>)}
          </div>
        </Section>
      </>
    );
  }
  return (
    <>
      <Section title="Watermarks">
        <Loaded res={view} what="The watermark view (GET /jobs/:id/watermarks)">
          {(w) => {
            const entries = vertexEntries(w);
            const summary = w && typeof w === 'object' && !Array.isArray(w) ? str(pick(w as Entry, 'message', 'summary', 'explanation')) : undefined;
            const top = w && typeof w === 'object' && !Array.isArray(w) ? holdOf(w as Entry) : undefined;
            return (
              <div data-testid="watermark-view">
                {endedNote}
                {summary && <p>{summary}</p>}
                {top && <p class="hold">Job watermark held back by {describeHold(top)}</p>}
                {entries.length === 0 ? (
                  !Array.isArray((w as Entry)?.['vertices']) ? (
                    <pre class="json">{JSON.stringify(w, null, 2)}</pre>
                  ) : planned.length > 0 ? (
                    fromPlan(<p class="muted">{ended ? 'No event-time operator waits for a watermark any more.' : 'None of these event-time vertices is waiting for a watermark.'}</p>)
                  ) : (
                    <p class="muted">This job has no event-time operator (window, event-time timer or join).</p>
                  )
                ) : (
                  <table class="grid">
                    <thead>
                      <tr>
                        <th>vertex</th>
                        <th>watermark</th>
                        <th>held back by</th>
                      </tr>
                    </thead>
                    <tbody>
                      {entries.map((e, i) => (
                        <WatermarkRow key={i} e={e} names={names} />
                      ))}
                    </tbody>
                  </table>
                )}
              </div>
            );
          }}
        </Loaded>
      </Section>
      <Section title="Per subtask">
        {job.vertices.map((v) => (
          <SubtaskWatermarks key={v.id} jobId={job.jid} vertexId={v.id} name={v.name} low={live.get(v.id)?.watermark} />
        ))}
      </Section>
    </>
  );
}

function WatermarkRow({ e, names }: { e: Entry; names: Map<string, string> }) {
  const id = str(pick(e, 'id', 'vertexId', 'vertex'));
  const name = str(pick(e, 'name', 'vertexName')) ?? (id ? names.get(id) : undefined) ?? id ?? '?';
  const subtaskList = Array.isArray(e['subtasks']) ? (e['subtasks'] as Entry[]) : [];
  const subtaskWms = subtaskList.map((s) => num(pick(s, 'currentInputWatermark', 'watermark'))).filter((x): x is number => x !== undefined);
  const wm = num(pick(e, 'watermark', 'lowWatermark', 'currentInputWatermark', 'inputWatermark')) ?? (subtaskWms.length ? Math.min(...subtaskWms) : undefined);
  const operators = Array.isArray(e['operators']) ? (e['operators'] as string[]).join(', ') : undefined;
  const hold = holdOf(e);
  const subHolds: ComponentChildren[] = subtaskList.length
    ? subtaskList.map((s, i) => {
        const h = holdOf(s);
        return h ? <div key={i} class="small">{`subtask ${str(pick(s, 'subtask', 'index')) ?? i}: ${describeHold(h)}`}</div> : null;
      })
    : [];
  return (
    <tr data-vertex-id={id}>
      <td>
        {name}
        {operators && <div class="muted small">{operators}</div>}
      </td>
      <td class="mono">{fmtWatermark(wm)}</td>
      <td>
        {hold ? describeHold(hold) : subHolds.some(Boolean) ? null : e['finished'] === true ? 'nothing (finished)' : '–'}
        {subHolds}
      </td>
    </tr>
  );
}

function SubtaskWatermarks({ jobId, vertexId, name, low }: { jobId: string; vertexId: string; name: string; low?: number }) {
  const wms = usePoll<MetricValue[]>(`jobs/${jobId}/vertices/${encodeURIComponent(vertexId)}/watermarks`, 3000);
  // The subtasks' own values when listed (the live poll stops when the job ends; these don't).
  const listed = (wms.data ?? []).map((m) => num(m.value)).filter((x): x is number => x !== undefined);
  const lowest = listed.length > 0 ? Math.min(...listed) : low;
  return (
    <div class="vertex-watermarks">
      <h3>
        {name} <span class="muted small">low watermark {lowest === undefined ? '–' : fmtWatermark(lowest)}</span>
      </h3>
      <Loaded res={wms} what="Subtask watermarks (GET /jobs/:id/vertices/:vid/watermarks)">
        {(list) =>
          list.length === 0 ? (
            <p class="muted small">No watermark reported.</p>
          ) : (
            <table class="grid">
              <tbody>
                {list.map((m) => (
                  <tr key={m.id}>
                    <td class="mono">{m.id}</td>
                    <td class="mono">{fmtWatermark(num(m.value))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </div>
  );
}
