/**
 * The signed-in user's bearer token, kept in localStorage (browser only). A sign-in link carries it in the fragment
 * (`/#token=<jwt>`, printed by `pnpm demo:nextjs`); {@link takeTokenFromUrl} stores it and removes it from the
 * address bar. The dev login (`POST /api/dev-login`) signs in with {@link signIn}.
 */

const storageKey = 'roadmap-nextjs.token';
const listeners = new Set<() => void>();
let current: string | null | undefined;

/** The stored token, or `null` when signed out. Browser only. */
export function getToken(): string | null {
  if (current === undefined) {
    try {
      current = localStorage.getItem(storageKey);
    } catch {
      current = null;
    }
  }
  return current;
}

/** Calls `listener` whenever the token changes; returns the unsubscribe function. */
export function subscribeToken(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setToken(token: string | null): void {
  current = token;
  try {
    if (token === null) localStorage.removeItem(storageKey);
    else localStorage.setItem(storageKey, token);
  } catch {
    // Storage may be unavailable (private mode): the session then lasts until reload.
  }
  for (const listener of listeners) listener();
}

/** Signs in with a bearer token. */
export function signIn(token: string): void {
  setToken(token.trim());
}

/** Forgets the token (also when the API answers 401: expired, or signed with another secret). */
export function signOut(): void {
  setToken(null);
}

/** Takes `#token=<jwt>` from the address: signs in with it and replaces the URL without it. */
export function takeTokenFromUrl(): void {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = fragment.get('token');
  if (token === null) return;
  signIn(token);
  fragment.delete('token');
  const rest = fragment.toString();
  window.history.replaceState(
    window.history.state,
    '',
    `${window.location.pathname}${window.location.search}${rest ? `#${rest}` : ''}`,
  );
}
