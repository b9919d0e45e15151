/**
 * A job's exceptions: Flink's `exceptionHistory` (each failure with its task, TaskManager and the
 * failures concurrent with it) when the dispatcher serves it, else the root cause and all
 * exceptions of `/jobs/:id/exceptions`.
 */
import { fmtTime } from '../format';
import { usePoll } from '../hooks';
import { Loaded, Section } from '../components/ui';

interface HistoryEntry {
  exceptionName?: string;
  stacktrace?: string;
  timestamp?: number;
  taskName?: string | null;
  endpoint?: string | null;
  location?: string | null;
  taskManagerId?: string | null;
  failureLabels?: Record<string, string>;
  concurrentExceptions?: HistoryEntry[];
}

interface Exceptions {
  'root-exception'?: string;
  timestamp?: number;
  'all-exceptions'?: { exception: string; task: string | null; location: string | null; timestamp: number }[];
  exceptionHistory?: { entries: HistoryEntry[]; truncated?: boolean };
  truncated?: boolean;
}

export function JobExceptionsTab({ jobId }: { jobId: string }) {
  const ex = usePoll<Exceptions>(`jobs/${jobId}/exceptions`, 3000);
  return (
    <Section title="Exceptions">
      <Loaded res={ex} what="Exceptions">
        {(e) => {
          const entries: HistoryEntry[] =
            e.exceptionHistory?.entries ?? (e['all-exceptions'] ?? []).map((a) => ({ stacktrace: a.exception, timestamp: a.timestamp, taskName: a.task, location: a.location }));
          if (entries.length === 0 && !e['root-exception']) return <p class="muted" data-testid="no-exceptions">No exception: the job has not failed.</p>;
          return (
            <div class="exceptions">
              {e['root-exception'] && !e.exceptionHistory && (
                <details open>
                  <summary>Root cause {e.timestamp ? `at ${fmtTime(e.timestamp)}` : ''}</summary>
                  <pre>{e['root-exception']}</pre>
                </details>
              )}
              {entries.map((x, i) => (
                <Entry key={i} x={x} open={i === 0 && !!e.exceptionHistory} />
              ))}
              {(e.exceptionHistory?.truncated || e.truncated) && <p class="muted small">Older exceptions were left out.</p>}
            </div>
          );
        }}
      </Loaded>
    </Section>
  );
}

function Entry({ x, open }: { x: HistoryEntry; open: boolean }) {
  const firstLine = (x.stacktrace ?? '').split('\n')[0];
  return (
    <details open={open}>
      <summary>
        {fmtTime(x.timestamp)} · {x.exceptionName ?? firstLine}
        {x.taskName ? ` · ${x.taskName}` : ''}
        {x.taskManagerId ? ` · ${x.taskManagerId}` : x.endpoint ? ` · ${x.endpoint}` : x.location ? ` · ${x.location}` : ''}
      </summary>
      <pre>{x.stacktrace}</pre>
      {x.failureLabels && Object.keys(x.failureLabels).length > 0 && <p class="small">labels: {Object.entries(x.failureLabels).map(([k, v]) => `${k}=${v}`).join(', ')}</p>}
      {(x.concurrentExceptions ?? []).map((c, i) => (
        <div class="concurrent" key={i}>
          <Entry x={c} open={false} />
        </div>
      ))}
    </details>
  );
}
