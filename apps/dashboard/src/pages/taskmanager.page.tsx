/**
 * One TaskManager: its slots and who holds them, memory, metrics (Flink's
 * `/taskmanagers/:id/metrics`, charted over time) and logs (`/taskmanagers/:id/logs`). Endpoints
 * the dispatcher does not have show "not available".
 */
import { useEffect, useState } from 'preact/hooks';
import { fmtBytes, fmtDuration, fmtNumber, fmtTime } from '../format';
import { usePoll } from '../hooks';
import type { MetricValue, TaskManager } from '../types';
import { addSample, type Sampled, TimeChart } from '../components/time-chart';
import { KeyValues, Loaded, Section } from '../components/ui';
import { SlotDots } from './taskmanagers.page';

export function TaskManagerPage({ id, log }: { id: string; log?: string }) {
  const tm = usePoll<TaskManager>(`taskmanagers/${encodeURIComponent(id)}`);
  return (
    <div class="page" data-page="taskmanager">
      <Loaded res={tm} what={`TaskManager ${id}`}>
        {(t) => (
          <>
            <Section title={`TaskManager ${t.id}`}>
              <KeyValues
                entries={[
                  ['address', t.path],
                  ['host, pid', `${t.hostname ?? '–'}, ${t.pid ?? '–'}`],
                  ['slots', <SlotDots total={t.slotsNumber} free={t.freeSlots} />],
                  ['CPU cores', t.hardware?.cpuCores ?? '–'],
                  ['physical memory', fmtBytes(t.hardware?.physicalMemory)],
                  ['version', t.version ?? '–'],
                  ['provider', t.provider ?? '–'],
                  ['registered', fmtTime(t.registeredAt)],
                  ['last heartbeat', `${fmtDuration(t.timeSinceLastHeartbeat)} ago`],
                ]}
              />
            </Section>
            <Section title="Slots">
              <table class="grid slots-table">
                <thead>
                  <tr>
                    <th>slot</th>
                    <th>state</th>
                    <th>job</th>
                    <th>allocation</th>
                  </tr>
                </thead>
                <tbody>
                  {(t.slots ?? []).map((s) => (
                    <tr key={s.slotId}>
                      <td>{s.index}</td>
                      <td>{s.state}</td>
                      <td class="mono">{s.jobId ? <a href={`#/jobs/${s.jobId}`}>{s.jobId}</a> : '–'}</td>
                      <td class="mono">{s.allocationId ?? '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Section>
            <Section title="Memory">
              {t.memoryConfiguration ? (
                <KeyValues entries={Object.entries(t.memoryConfiguration).map(([k, v]) => [k, fmtBytes(v)])} />
              ) : (
                <p class="muted small">Memory configuration: not available; see the metrics below.</p>
              )}
            </Section>
          </>
        )}
      </Loaded>
      <Metrics id={id} />
      <Logs id={id} log={log} />
    </div>
  );
}

const CHARTED = /heap\.used|heapused|memory\.used|rss/i;

function Metrics({ id }: { id: string }) {
  const names = usePoll<{ id: string }[]>(`taskmanagers/${encodeURIComponent(id)}/metrics`, 0);
  const wanted = (names.data ?? []).map((m) => m.id).slice(0, 40);
  const values = usePoll<MetricValue[]>(wanted.length ? `taskmanagers/${encodeURIComponent(id)}/metrics?get=${wanted.map(encodeURIComponent).join(',')}` : null, 2000);
  const charted = wanted.filter((n) => CHARTED.test(n)).slice(0, 3);
  const [chart, setChart] = useState<Sampled | null>(null);
  useEffect(() => {
    if (!values.data || charted.length === 0) return;
    const byId = new Map(values.data.map((m) => [m.id, Number(m.value)]));
    setChart((c) => addSample(c ?? { times: [], series: charted.map((n, i) => ({ label: n, values: [], colour: ['#1864ab', '#e8590c', '#2b8a3e'][i] })) }, Date.now(), charted.map((n) => byId.get(n) ?? null)));
  }, [values.data]);
  return (
    <Section title="Metrics">
      <Loaded res={names} what="TaskManager metrics (GET /taskmanagers/:id/metrics)">
        {() => (
          <>
            {chart && <TimeChart data={chart} height={140} testId="tm-metrics-chart" />}
            <table class="grid">
              <tbody>
                {(values.data ?? []).map((m) => (
                  <tr key={m.id}>
                    <td class="mono">{m.id}</td>
                    <td class="num">{/bytes|memory|heap/i.test(m.id) ? fmtBytes(Number(m.value)) : fmtNumber(Number(m.value))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Loaded>
    </Section>
  );
}

function Logs({ id, log }: { id: string; log?: string }) {
  const base = `taskmanagers/${encodeURIComponent(id)}`;
  const list = usePoll<{ logs: { name: string; size: number; mtime?: number }[]; note?: string }>(`${base}/logs`, 0);
  const text = usePoll<unknown>(log ? `${base}/logs/${encodeURIComponent(log)}` : null, 0);
  return (
    <Section title="Logs">
      <Loaded res={list} what="TaskManager logs (GET /taskmanagers/:id/logs)">
        {(l) => (
          <>
            {l.note && <p class="muted small">{l.note}</p>}
            <ul class="logs">
              {l.logs.map((f) => (
                <li key={f.name}>
                  <a href={`#/taskmanagers/${encodeURIComponent(id)}/${encodeURIComponent(f.name)}`}>{f.name}</a> <span class="muted small">{fmtBytes(f.size)}{f.mtime ? ` · ${fmtTime(f.mtime)}` : ''}</span>
                </li>
              ))}
            </ul>
            {log && (
              <Loaded res={text} what={`Log ${log}`}>
                {(t) => <pre class="log">{typeof t === 'string' ? t : JSON.stringify(t, null, 2)}</pre>}
              </Loaded>
            )}
          </>
        )}
      </Loaded>
    </Section>
  );
}
