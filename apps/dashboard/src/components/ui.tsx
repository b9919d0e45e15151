/** Small building blocks of the pages: sections that render a polled resource, state badges, stat cards, tabs. */
import type { ComponentChildren } from 'preact';
import type { Resource } from '../hooks';

export function StateBadge({ state }: { state: string }) {
  return <span class={'state state-' + state}>{state}</span>;
}

export function Stat({ label, value, testId }: { label: string; value: ComponentChildren; testId?: string }) {
  return (
    <div class="stat" data-testid={testId}>
      <span>{label}</span>
      <b>{value}</b>
    </div>
  );
}

export function NotAvailable({ what }: { what: string }) {
  return <p class="not-available">{what}: not available on this cluster.</p>;
}

/** Renders `children(data)` once there is data; "not available" on 404, the error otherwise. */
export function Loaded<T>({ res, what, children }: { res: Resource<T>; what: string; children: (data: T) => ComponentChildren }) {
  if (res.notAvailable) return <NotAvailable what={what} />;
  if (res.data !== undefined) {
    return (
      <>
        {res.error && <p class="error small">Refresh failed: {res.error.message}</p>}
        {children(res.data)}
      </>
    );
  }
  if (res.error) return <p class="error">{res.error.message}</p>;
  return <p class="muted">Loading…</p>;
}

export function Section({ title, children, actions, id }: { title: string; children: ComponentChildren; actions?: ComponentChildren; id?: string }) {
  return (
    <section class="panel" id={id}>
      <div class="panel-head">
        <h2>{title}</h2>
        {actions && <div class="panel-actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

export function Tabs({ tabs, current, href }: { tabs: [string, string][]; current: string; href: (tab: string) => string }) {
  return (
    <nav class="tabs">
      {tabs.map(([key, label]) => (
        <a key={key} href={href(key)} class={key === current ? 'active' : ''} data-tab={key}>
          {label}
        </a>
      ))}
    </nav>
  );
}

export function KeyValues({ entries }: { entries: [string, ComponentChildren][] }) {
  return (
    <table class="kv">
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
