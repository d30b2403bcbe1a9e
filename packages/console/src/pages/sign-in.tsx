/** Sign-in: an API key, checked with the service before it is kept for the tab's session. */

import type { MeView } from '@sluice/engine/api-types';
import { useState } from 'preact/hooks';
import type { ApiError } from '../api.js';
import { ErrorBox } from '../components/common.js';
import { signIn } from '../session.js';

export function SignIn({ onSignedIn }: { onSignedIn: (me: MeView) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await signIn(key));
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="sign-in">
      <form onSubmit={submit} class="card">
        <h1>
          <img src="/favicon.svg" alt="" width="28" height="28" /> Sluice
        </h1>
        <p class="muted">Sign in with an API key of your workspace.</p>
        <label>
          API key
          <input
            type="password"
            name="key"
            autocomplete="off"
            placeholder="sk_…"
            value={key}
            onInput={(event) => setKey((event.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <ErrorBox error={error} title="Not signed in" />
        <p class="hint">
          An admin creates keys with{' '}
          <code>sluice keys create --workspace &lt;id&gt; --email &lt;you&gt;</code>. The key is kept in this
          tab only, until it closes.
        </p>
      </form>
    </div>
  );
}
