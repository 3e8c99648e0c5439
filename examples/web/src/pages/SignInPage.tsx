import { Button } from '@roadmap/react';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useAppLabels } from '../appContext.js';
import { sessionEndReason, signIn } from '../auth.js';
import { PageHeader } from './PageHeader.js';

type DevLogin = 'unknown' | 'available' | 'unavailable' | 'working';

/**
 * Shown without a token: explains the printed dev login link, offers the server's dev login when it has one
 * (`GET /api/dev/login` → `{ enabled }`), and takes a pasted token.
 */
export function SignInPage() {
  const labels = useAppLabels();
  const [devLogin, setDevLogin] = useState<DevLogin>('unknown');
  const [error, setError] = useState<string | undefined>();
  const [pasted, setPasted] = useState('');
  const tokenId = useId();
  const reason = sessionEndReason();

  useEffect(() => {
    const controller = new AbortController();
    fetch('/api/dev/login', { signal: controller.signal, headers: { accept: 'application/json' } })
      .then(async (response) => {
        const body = response.ok ? ((await response.json()) as { enabled?: unknown }) : undefined;
        setDevLogin(body?.enabled === true ? 'available' : 'unavailable');
      })
      .catch(() => {
        if (!controller.signal.aborted) setDevLogin('unavailable');
      });
    return () => controller.abort();
  }, []);

  const requestDevLogin = async () => {
    setDevLogin('working');
    setError(undefined);
    try {
      const response = await fetch('/api/dev/login', { method: 'POST', headers: { accept: 'application/json' } });
      const body = (await response.json().catch(() => ({}))) as { token?: unknown; detail?: unknown };
      if (response.ok && typeof body.token === 'string' && signIn(body.token)) return;
      setDevLogin(response.status === 403 ? 'unavailable' : 'available');
      setError(`${labels.devLoginFailed}: ${typeof body.detail === 'string' ? body.detail : response.status}`);
    } catch (cause) {
      setDevLogin('available');
      setError(`${labels.devLoginFailed}: ${cause instanceof Error ? cause.message : String(cause)}`);
    }
  };

  const submitPasted = (event: FormEvent) => {
    event.preventDefault();
    setError(signIn(pasted) ? undefined : labels.invalidToken);
  };

  return (
    <div className="demo-signin">
      <PageHeader title={labels.signInTitle} />
      {reason && (
        <p className="demo-notice" role="status">
          {reason === 'expired' ? labels.signInExpired : labels.signInSignedOut}
        </p>
      )}
      <p>{labels.signInIntro}</p>
      <p>{labels.signInLinkHelp}</p>
      {(devLogin === 'available' || devLogin === 'working') && (
        <Button type="button" onClick={requestDevLogin} disabled={devLogin === 'working'}>
          {devLogin === 'working' ? labels.devLoginWorking : labels.devLoginButton}
        </Button>
      )}
      {devLogin === 'unavailable' && <p className="demo-muted">{labels.devLoginUnavailable}</p>}
      <form className="demo-token-form" onSubmit={submitPasted}>
        <label htmlFor={tokenId}>{labels.pasteToken}</label>
        <div className="demo-token-row">
          <input
            id={tokenId}
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={pasted}
            onChange={(event) => setPasted(event.target.value)}
          />
          <Button type="submit" variant="outline" disabled={pasted.trim() === ''}>
            {labels.pasteTokenButton}
          </Button>
        </div>
      </form>
      {error && (
        <p className="demo-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
