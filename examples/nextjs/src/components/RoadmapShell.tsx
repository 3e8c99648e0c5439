'use client';

import { createRoadmapClient } from '@roadmap/core/client';
import { RoadmapProvider } from '@roadmap/react';
import Link from 'next/link';
import { type ReactNode, useMemo, useSyncExternalStore } from 'react';
import { SignIn } from './SignIn.js';
import { getToken, signOut, subscribeToken, takeTokenFromUrl } from './session.js';

/** `fetch` that signs out when the API says the token is no longer good (expired, or signed with another secret). */
const fetchSigningOutOn401: typeof fetch = async (input, init) => {
  const response = await globalThis.fetch(input, init);
  if (response.status === 401 && getToken() !== null) signOut();
  return response;
};

// A sign-in link (`/#token=<jwt>`) is read before the first render, so the page never starts as the previous user,
// and again when only the fragment changes (a link followed from the same page).
if (typeof window !== 'undefined') {
  takeTokenFromUrl();
  window.addEventListener('hashchange', takeTokenFromUrl);
}

/** On the server the session is unknown (it lives in localStorage): the shell renders a placeholder there. */
const unknownOnServer = () => undefined;

/**
 * The client boundary of every page: the session, one Roadmap Kit client per signed-in token (talking to this app's
 * own `/api/v1` route handler; live updates over Server-Sent Events, as a route handler cannot take a WebSocket) and
 * `<RoadmapProvider>` around the page, whose links are `next/link`'s (client-side navigation); the sign-in form when
 * signed out.
 */
export function RoadmapShell({ children }: { children: ReactNode }) {
  const token = useSyncExternalStore(subscribeToken, getToken, unknownOnServer);
  // One client per token: signing in as someone else starts with empty caches.
  const client = useMemo(
    () =>
      token
        ? createRoadmapClient({
            baseUrl: '',
            transport: 'sse',
            token,
            fetch: fetchSigningOutOn401,
            // A live stream refused for its token (401: expired) signs out rather than reconnecting forever; a 403
            // (another user's task) only stops that stream.
            onAuthError: (error) => {
              if (error.status === 401) signOut();
            },
          })
        : undefined,
    [token],
  );
  if (token === undefined) return <p className="demo-loading">Loading…</p>;
  if (client === undefined) return <SignIn />;
  return (
    <RoadmapProvider client={client} theme="system" linkComponent={Link}>
      {children}
    </RoadmapProvider>
  );
}
