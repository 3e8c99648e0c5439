import { errorFromResponse } from './clientErrors.js';
import { readEventStream } from './eventStreamReader.js';
import type { ConnectionHandlers, StreamConnection } from './taskSubscription.js';

/**
 * One Server-Sent Events connection attempt (SPEC §8), over `fetch` with a streamed body rather than `EventSource`,
 * so the token goes in the `Authorization` header (never in the URL) and it runs wherever `fetch` streams (browsers,
 * Node 20, edge runtimes). `lastEventId` goes in `Last-Event-ID`: the server replays every event after it. A 401, 403
 * or 404 answer goes to `handlers.onRefused`; any other failure, a cut connection or the end of the body to
 * `handlers.onClose`. `close()` aborts the request.
 */
export function openEventStreamConnection(
  fetcher: typeof fetch,
  url: string,
  token: string | undefined,
  lastEventId: number | undefined,
  handlers: ConnectionHandlers,
): StreamConnection {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId);
  void (async () => {
    try {
      const response = await fetcher.call(globalThis, url, { headers, signal: controller.signal });
      if (response.ok && response.body && response.headers.get('content-type')?.startsWith('text/event-stream')) {
        handlers.onOpen();
        await readEventStream(response.body, handlers.onMessage, handlers.onActivity);
      } else if ([401, 403, 404].includes(response.status)) handlers.onRefused(await errorFromResponse(response));
      else await response.body?.cancel();
    } catch {
      // Unreachable, cut, or aborted by `close()` (then the subscription no longer listens).
    }
    handlers.onClose();
  })();
  return { close: () => controller.abort() };
}
