// Test support (imported by tests only, never by `index.ts`): a real HTTP server on 127.0.0.1:0 that serves the SSE
// streams of SPEC §8 from a scripted event log, and the two REST reads a stream's access check asks. Ownership,
// replay and retention are the server's own tests; this one lets the client's side be driven: where each connection
// is cut, which tokens are refused, what a replay repeats. It has no WebSocket upgrade handler.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A message of the log, as the WebSocket sends it (`seq` strictly increasing). */
export interface ScriptedMessage {
  type: string;
  seq: number;
  [field: string]: unknown;
}

/** One request the server received. */
export interface ReceivedRequest {
  /** Path with the query, e.g. `/api/v1/events?since=3`. */
  url: string;
  /** The `Authorization` header, `undefined` without one. */
  authorization: string | undefined;
  /** The `Last-Event-ID` header. */
  lastEventId: string | undefined;
  /** True for a WebSocket upgrade attempt. */
  upgrade: boolean;
}

/** How one stream connection is served (its index counts stream connections from 0). */
export interface ConnectionScript {
  /** Replay starts this many events before the client's position, as a server racing a live event might. Default: 0. */
  repeat?: number;
  /** Cut the connection (socket destroyed) after this many bytes of the stream. Default: never; it stays open. */
  cutAfterBytes?: number;
  /** Frames written after the replay, e.g. a `closing`, before the stream ends. Default: none, it stays open. */
  endWith?: ScriptedMessage[];
}

export interface EventStreamServerOptions {
  /** Default: `/api/v1`. */
  basePath?: string;
  /** The event log. */
  events: ScriptedMessage[];
  /** False answers 401 with the API's error body, for streams and REST alike. Default: every token is accepted. */
  accepts?: (authorization: string | undefined) => boolean;
  /** The script of each stream connection. Default: the whole replay, then the stream stays open. */
  script?: (index: number) => ConnectionScript;
  /** Called after every request and every closed stream, so a test can await what it waits for. */
  onChange?: () => void;
}

export interface EventStreamServer {
  /** `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** Every request, in order. */
  requests: ReceivedRequest[];
  /** Stream connections that ended (by the client or by the server). */
  closedStreams: number;
  /** Stops the server, ending open streams. */
  close(): Promise<void>;
}

const frame = (message: ScriptedMessage) =>
  `id: ${message.seq}\nevent: ${message.type}\ndata: ${JSON.stringify(message)}\n\n`;

/** Starts the server; close it after the test. */
export async function startEventStreamServer(options: EventStreamServerOptions): Promise<EventStreamServer> {
  const basePath = options.basePath ?? '/api/v1';
  const accepts = options.accepts ?? (() => true);
  const requests: ReceivedRequest[] = [];
  const open = new Set<ServerResponse>();
  let streams = 0;
  const state = { closedStreams: 0 };
  const notify = () => options.onChange?.();

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const authorization = request.headers.authorization;
    const lastEventId = request.headers['last-event-id'];
    requests.push({
      url: `${url.pathname}${url.search}`,
      authorization,
      lastEventId: typeof lastEventId === 'string' ? lastEventId : undefined,
      upgrade: request.headers.upgrade !== undefined,
    });
    notify();
    const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : null;
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (path === null || request.headers.upgrade) return json(404, { detail: 'Not found.', code: 'not_found' });
    if (!accepts(authorization)) return json(401, { detail: 'Token expired.', code: 'unauthorized' });
    if (!path.endsWith('/events')) return json(200, path.startsWith('/roadmaps/tasks/') ? {} : { tasks: [] });

    const script = options.script?.(streams++) ?? {};
    const head = options.events.at(-1)?.seq ?? 0;
    const since = Number(lastEventId ?? url.searchParams.get('since') ?? head);
    const replay = options.events.filter((message) => message.seq > since);
    const repeated = script.repeat
      ? options.events.filter((message) => message.seq <= since).slice(-script.repeat)
      : [];
    const taskId = path.match(/^\/roadmaps\/tasks\/([^/]+)\/events$/)?.[1] ?? null;
    const text = [
      ': keep-alive\n\n',
      frame({ type: 'connected', task_id: taskId, seq: since, timestamp: '2025-01-01T00:00:00.000Z' }),
      ...repeated.map(frame),
      ': keep-alive\n\n',
      ...replay.map(frame),
      ...(script.endWith ?? []).map(frame),
    ].join('');
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    open.add(response);
    response.on('close', () => {
      open.delete(response);
      state.closedStreams += 1;
      notify();
    });
    if (script.cutAfterBytes !== undefined) {
      const bytes = Buffer.from(text).subarray(0, script.cutAfterBytes);
      response.write(bytes, () => response.socket?.destroy());
    } else if (script.endWith) response.end(text);
    else response.write(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    get closedStreams() {
      return state.closedStreams;
    },
    close: () => {
      for (const response of open) response.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
