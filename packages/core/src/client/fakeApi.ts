// Test support for the observers (imported by tests only, never by `index.ts`): a scripted `fetch` that answers the
// REST API by route and records what the client asked. Deterministic: answers resolve in the next microtasks, or
// when the test releases a held one.

/** An answer: the JSON body of a `200`, or a full `Response`. */
export type FakeAnswer = unknown;

/** Answers a request (`url` with its query, the parsed JSON `body` or `undefined`). */
export type FakeRoute = (request: { url: URL; body: unknown }) => FakeAnswer | Promise<FakeAnswer>;

export interface FakeApi {
  /** Pass to `createRoadmapClient({ fetch })`. */
  fetch: typeof fetch;
  /** Every request as `METHOD /path?query` (the `/api/v1` prefix left out), in order. */
  requests: string[];
  /** Sets (or replaces) the answer of `METHOD /path`, e.g. `GET /roadmaps/tasks/t-1`. */
  route(route: string, answer: FakeRoute): void;
}

/** A JSON error answer, as the server sends it (SPEC §3). */
export function errorResponse(status: number, code: string, detail: string): Response {
  return Response.json({ detail, code }, { status });
}

/**
 * A scripted server. A request without a route fails the test's expectations with a `404` whose detail names it;
 * an aborted request rejects with the signal's reason, as `fetch` does.
 */
export function createFakeApi(routes: Record<string, FakeRoute> = {}): FakeApi {
  const table = new Map(Object.entries(routes));
  const requests: string[] = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const path = url.pathname.replace(/^\/api\/v1/, '');
    const method = init.method ?? 'GET';
    requests.push(`${method} ${path}${url.search}`);
    const signal = init.signal;
    if (signal?.aborted) throw signal.reason;
    const answer = table.get(`${method} ${path}`);
    if (!answer) return errorResponse(404, 'not_found', `no route for ${method} ${path}`);
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    const aborted = new Promise<never>((_, reject) => {
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    const value = await Promise.race([answer({ url, body }), aborted]);
    return value instanceof Response ? value : Response.json(value);
  };
  return {
    fetch: fetch as typeof globalThis.fetch,
    requests,
    route: (route, answer) => {
      table.set(route, answer);
    },
  };
}

/** A promise the test settles by hand, to hold an answer while it looks at the state in between. */
export function deferred<Value>(): { promise: Promise<Value>; resolve: (value: Value) => void } {
  let resolve: (value: Value) => void = () => {};
  const promise = new Promise<Value>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}
