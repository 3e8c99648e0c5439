'use client';

import { useEffect, useState } from 'react';
import { signIn } from './session.js';

/**
 * Signed out: a button for the dev login when the server offers it (`ROADMAP_DEV_LOGIN=1` under `next dev`), else
 * how to get a sign-in link.
 */
export function SignIn() {
  const [devLogin, setDevLogin] = useState<boolean | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    fetch('/api/dev-login', { signal: controller.signal })
      .then((response) => response.json() as Promise<{ enabled: boolean }>)
      .then((body) => setDevLogin(body.enabled))
      .catch(() => setDevLogin(false));
    return () => controller.abort();
  }, []);

  const signInAsDemoUser = async () => {
    setError(undefined);
    const response = await fetch('/api/dev-login', { method: 'POST' });
    const body = (await response.json()) as { token?: string; detail?: string };
    if (response.ok && body.token) signIn(body.token);
    else setError(body.detail ?? `Sign-in failed (${response.status}).`);
  };

  return (
    <section className="demo-sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      {devLogin ? (
        <button type="button" className="demo-button" onClick={signInAsDemoUser}>
          Sign in as the demo user
        </button>
      ) : (
        <p>
          Open the sign-in link that <code>pnpm demo:nextjs</code> prints (it ends in <code>#token=…</code>), or run{' '}
          <code>next dev</code> with <code>ROADMAP_DEV_LOGIN=1</code> for a dev login.
        </p>
      )}
      {error && <p role="alert">{error}</p>}
    </section>
  );
}
