/**
 * The demo's sign-in: a bearer JWT kept in localStorage. The reference server prints a dev login link
 * (`http://127.0.0.1:3000/#token=<jwt>`); {@link takeTokenFromUrl} stores the token from the fragment and removes it
 * from the address bar (and so from the history), before anything renders.
 */

const storageKey = 'roadmap-demo.token';

export interface Session {
  token: string;
  /** `sub` of the token. */
  userId: string;
  /** `exp` of the token, in ms since the epoch, if it has one. */
  expiresAt: number | undefined;
}

type Listener = () => void;
const listeners = new Set<Listener>();
let current: Session | null | undefined;
/** Why the last session ended, shown on the sign-in page. */
let endReason: 'expired' | 'signed_out' | undefined;

function decodePayload(token: string): { sub?: unknown; exp?: unknown } | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(base64), (char) => char.charCodeAt(0)));
    const payload = JSON.parse(json) as unknown;
    return typeof payload === 'object' && payload !== null ? (payload as { sub?: unknown; exp?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a JWT's `sub` and `exp` (no verification: the server does that). `null` for anything that is not a JWT. */
export function parseSession(token: string): Session | null {
  const trimmed = token.trim();
  const payload = decodePayload(trimmed);
  if (!payload || typeof payload.sub !== 'string' || payload.sub === '') return null;
  const expiresAt = typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  return { token: trimmed, userId: payload.sub, expiresAt };
}

function readStored(): Session | null {
  let token: string | null = null;
  try {
    token = localStorage.getItem(storageKey);
  } catch {
    return null;
  }
  const session = token ? parseSession(token) : null;
  if (session?.expiresAt !== undefined && session.expiresAt <= Date.now()) {
    endReason = 'expired';
    return null;
  }
  return session;
}

function set(session: Session | null): void {
  current = session;
  try {
    if (session) localStorage.setItem(storageKey, session.token);
    else localStorage.removeItem(storageKey);
  } catch {
    // Storage may be unavailable (private mode): the session then lasts until reload.
  }
  for (const listener of listeners) listener();
}

/** The signed-in session, or `null`. */
export function getSession(): Session | null {
  if (current === undefined) current = readStored();
  return current;
}

export function subscribeSession(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Signs in with a token; `false` when it is not a usable JWT. */
export function signIn(token: string): boolean {
  const session = parseSession(token);
  if (!session || (session.expiresAt !== undefined && session.expiresAt <= Date.now())) return false;
  endReason = undefined;
  set(session);
  return true;
}

export function signOut(reason: 'expired' | 'signed_out' = 'signed_out'): void {
  endReason = reason;
  set(null);
}

export function sessionEndReason(): 'expired' | 'signed_out' | undefined {
  return endReason;
}

/**
 * Takes `#token=<jwt>` from the address: signs in with it and replaces the URL without the fragment. Call once,
 * before the first render.
 */
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
