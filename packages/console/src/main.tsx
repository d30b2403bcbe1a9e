/**
 * The Sluice console: sign in with an API key, then workflows, runs, connections and triggers of the
 * key's workspace, all through the same API (and its rules) as any other client.
 */
import './style.css';
import type { MeView } from '@sluice/engine/api-types';
import { type ComponentType, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, setUnauthorizedHandler, storedKey, storeKey } from './api.js';
import { Loading } from './components/common.js';
import { ConnectionsPage } from './pages/connections.js';
import { RunPage } from './pages/run.js';
import { RunsPage } from './pages/runs.js';
import { SignIn } from './pages/sign-in.js';
import { TriggersPage } from './pages/triggers.js';
import { WorkflowPage } from './pages/workflow.js';
import { WorkflowsPage } from './pages/workflows.js';
import { href, navigate, type Route, useRoute } from './router.js';
import { rememberedMe, rememberMe, SessionContext } from './session.js';

/** The editor (and the YAML library it needs) loads only when a page opens it. */
function LazyEditor(props: { uid: string | undefined }) {
  const [Editor, setEditor] = useState<ComponentType<{ uid: string | undefined }> | null>(null);
  useEffect(() => {
    void import('./pages/edit.js').then((module) => setEditor(() => module.EditPage));
  }, []);
  return Editor === null ? <Loading /> : <Editor {...props} />;
}

function Page({ route }: { route: Route }) {
  const [section, id, sub] = route.parts;
  switch (section) {
    case undefined:
    case 'workflows':
      if (id === undefined) return <WorkflowsPage />;
      if (id === 'new' && sub === undefined) return <LazyEditor uid={undefined} />;
      if (sub === 'edit') return <LazyEditor uid={id} />;
      return <WorkflowPage uid={id} version={route.query.get('version')} />;
    case 'runs':
      return id === undefined ? <RunsPage query={route.query} /> : <RunPage id={id} />;
    case 'connections':
      return <ConnectionsPage />;
    case 'triggers':
      return <TriggersPage />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            There is no page <code>{route.path}</code>. <a href={href('workflows')}>Go to workflows</a>.
          </p>
        </section>
      );
  }
}

const NAV = [
  ['workflows', 'Workflows'],
  ['runs', 'Runs'],
  ['connections', 'Connections'],
  ['triggers', 'Triggers'],
] as const;

function Shell({ me, signOut }: { me: MeView; signOut: () => void }) {
  const route = useRoute();
  const section = route.parts[0] ?? 'workflows';
  return (
    <SessionContext.Provider value={{ me, signOut }}>
      <header class="top">
        <a class="brand" href={href('workflows')}>
          <img src="/favicon.svg" alt="" width="22" height="22" /> Sluice
        </a>
        <nav>
          {NAV.map(([path, label]) => (
            <a href={href(path)} class={section === path ? 'active' : ''} key={path}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who" data-testid="who">
          <strong>{me.workspace_id}</strong> · {me.email} ·{' '}
          <span class={`role role-${me.role}`}>{me.role}</span>
        </span>
        <button type="button" class="quiet" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        <Page route={route} />
      </main>
    </SessionContext.Provider>
  );
}

function App() {
  // undefined: checking a kept key; null: signed out.
  const [me, setMe] = useState<MeView | null | undefined>(() =>
    storedKey() === null ? null : (rememberedMe() ?? undefined),
  );
  const signOut = () => {
    storeKey(null);
    rememberMe(null);
    setMe(null);
  };
  useEffect(() => {
    setUnauthorizedHandler(signOut);
    if (storedKey() === null) return;
    // Checked on every load, beside the page's own reads: a revoked key signs out, a changed role shows.
    api<MeView>('GET', '/v1/me').then(
      (who) => {
        rememberMe(who);
        setMe(who);
      },
      // A refused key signs out (the 401 handler); a service that is down keeps the page until it is back.
      (err: unknown) => {
        if (!(err instanceof ApiError) || rememberedMe() === undefined) signOut();
      },
    );
  }, []);
  if (me === undefined) return <Loading />;
  if (me === null) {
    return (
      <SignIn
        onSignedIn={(who) => {
          setMe(who);
          if (location.hash === '' || location.hash === '#/') navigate('/workflows', { replace: true });
        }}
      />
    );
  }
  return <Shell me={me} signOut={signOut} />;
}

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
