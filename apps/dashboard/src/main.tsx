/**
 * Runnel's web dashboard: a hash-routed Preact app over the dispatcher's REST API (Flink's web UI
 * pages: overview, jobs, a job with its graph, TaskManagers, submit). Served by the dispatcher at
 * `/`; asks for the REST token on the first 401.
 */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { setToken, tokenPrompt } from './api';
import { useRoute } from './hooks';
import { useStore } from './store';
import { OverviewPage } from './pages/overview.page';
import { JobsPage } from './pages/jobs.page';
import { JobPage } from './pages/job.page';
import { TaskManagersPage } from './pages/taskmanagers.page';
import { TaskManagerPage } from './pages/taskmanager.page';
import { SubmitPage } from './pages/submit.page';
import './styles.css';

function TokenForm() {
  const prompt = useStore(tokenPrompt);
  const [value, setValue] = useState('');
  if (prompt === null) return null;
  return (
    <form
      class="token-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) setToken(value);
        setValue('');
      }}
    >
      <label for="token">{prompt === 'rejected' ? 'The token was not accepted; REST token:' : 'This cluster needs a REST token:'}</label>
      <input id="token" type="password" autocomplete="off" required value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} autofocus />
      <button type="submit">Use token</button>
    </form>
  );
}

const NAV: [string, string][] = [
  ['overview', 'Overview'],
  ['jobs', 'Jobs'],
  ['taskmanagers', 'TaskManagers'],
  ['submit', 'Submit'],
];

function App() {
  const route = useRoute();
  const [page = 'overview', a, b, c] = route;
  let body;
  if (page === 'jobs' && a) body = <JobPage key={a} jobId={a} tab={b ?? 'graph'} arg={c} />;
  else if (page === 'jobs') body = <JobsPage />;
  else if (page === 'taskmanagers' && a) body = <TaskManagerPage key={a} id={a} log={b} />;
  else if (page === 'taskmanagers') body = <TaskManagersPage />;
  else if (page === 'submit') body = <SubmitPage />;
  else body = <OverviewPage />;
  return (
    <>
      <header>
        <a class="brand" href="#/overview">
          Runnel
        </a>
        <nav>
          {NAV.map(([k, label]) => (
            <a key={k} href={`#/${k}`} class={page === k ? 'active' : ''} data-nav={k}>
              {label}
            </a>
          ))}
        </nav>
      </header>
      <main>
        <TokenForm />
        {body}
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
