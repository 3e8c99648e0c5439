// Test support: a fetch handler `(Request) => Promise<Response>` served by Node's own HTTP server, so the route
// suites run against the fetch host over real sockets. A small bridge rather than a library (@hono/node-server,
// srvx): tests need only what is here, and it keeps the handler's side of the wire visible.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** A Node HTTP server (not yet listening) that answers every request with `handler`. */
export function createFetchServer(handler: (request: Request) => Promise<Response>): Server {
  return createServer((incoming, outgoing) => {
    bridge(handler, incoming, outgoing).catch((error: unknown) => {
      outgoing.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
}

async function bridge(
  handler: (request: Request) => Promise<Response>,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
): Promise<void> {
  const controller = new AbortController();
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) controller.abort();
  });
  const headers = new Headers();
  for (let index = 0; index + 1 < incoming.rawHeaders.length; index += 2) {
    headers.append(incoming.rawHeaders[index] ?? '', incoming.rawHeaders[index + 1] ?? '');
  }
  const method = incoming.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const request = new Request(`http://${incoming.headers.host ?? '127.0.0.1'}${incoming.url ?? '/'}`, {
    method,
    headers,
    signal: controller.signal,
    ...(hasBody ? { body: bodyStream(incoming), duplex: 'half' } : {}),
  } as RequestInit);
  const response = await handler(request);
  outgoing.statusCode = response.status;
  response.headers.forEach((value, name) => {
    outgoing.setHeader(name, value);
  });
  // A body the handler stopped reading (413) is never read to its end: the connection cannot be reused.
  if (hasBody && !incoming.readableEnded) outgoing.setHeader('Connection', 'close');
  if (response.body === null) {
    outgoing.end();
    return;
  }
  const reader = response.body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  controller.signal.addEventListener('abort', cancel, { once: true });
  outgoing.flushHeaders();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || controller.signal.aborted) break;
      if (!outgoing.write(value)) {
        await new Promise<void>((resolve) => {
          outgoing.once('drain', resolve);
          controller.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
    }
  } finally {
    controller.signal.removeEventListener('abort', cancel);
    outgoing.end();
  }
}

/** The request body as a web stream; cancelling it pauses the socket rather than destroying it (so a 413 is sent). */
function bodyStream(incoming: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      incoming.on('data', (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) incoming.pause();
      });
      incoming.once('end', () => settle(() => controller.close()));
      incoming.once('error', (error) => settle(() => controller.error(error)));
      incoming.pause();
    },
    pull() {
      incoming.resume();
    },
    cancel() {
      incoming.removeAllListeners('data');
      incoming.pause();
    },
  });
}

/** Closing or failing a stream the handler already cancelled throws; there is nobody left to tell. */
function settle(action: () => void): void {
  try {
    action();
  } catch {
    // Cancelled already.
  }
}
