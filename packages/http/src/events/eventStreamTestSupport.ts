// Test support for the event streams: a real engine on memory adapters, a real Node HTTP server on 127.0.0.1:0 that
// serves `openEventStream` (the two SSE endpoints, as a host would), and a client that reads the stream over a real
// socket. The client parses SSE itself: no maintained parser (eventsource-parser) is installed in the workspace, and
// the few lines below (blank-line framed fields, SPEC §8's `id` / `event` / `data` and comments) are all tests need.
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createMemoryQueue,
  createMemoryStorage,
  type NewRoadmapEvent,
  RoadmapEngine,
  type RoadmapEngineOptions,
  type Storage,
} from '@roadmap/core';
import { isoTime } from '@roadmap/core/internal';
import { createScriptedModel } from '@roadmap/core/testing';
import { toHttpResponse } from '../errors/errorResponse.js';
import { type EventStreamOptions, eventStreamHeaders, openEventStream } from './eventStream.js';

/** One frame of an event stream, parsed: a message (`id`, `event`, `data`) or a comment. */
export interface StreamFrame {
  /** The `id:` field, if the frame had one. */
  id: string | undefined;
  /** The `event:` field (`message` when absent). */
  event: string;
  /** The `data:` field parsed as JSON; `undefined` for a comment. */
  data: ({ type: string; seq: number; task_id: string | null } & Record<string, unknown>) | undefined;
  /** The text of a comment line (`: keep-alive` → `keep-alive`). */
  comment: string | undefined;
}

/** Options of the stream the server opens, besides what it reads from the request. */
export type ServedStreamOptions = Partial<
  Omit<EventStreamOptions, 'engine' | 'userId' | 'taskId' | 'since' | 'signal'>
>;

export interface StreamWorld {
  engine: RoadmapEngine;
  storage: Storage;
  /** `http://127.0.0.1:<port>` + `path`. */
  url(path: string): string;
  /** Streams the server has open now (ended or cancelled ones no longer count). */
  openStreams(): number;
  /** A task of `userId`. */
  createTask(userId: string): Promise<string>;
  /** Appends straight to storage (no local emit: only polling finds it), like a worker in another process. */
  append(taskId: string, userId: string, fields?: Partial<NewRoadmapEvent>): Promise<number>;
  close(): Promise<void>;
}

/**
 * An engine and a server of `GET /events` and `GET /tasks/{id}/events`. The user is `token-<user>` from `?token=`;
 * `Last-Event-ID` wins over `?since=`; a refusal is answered with its status and error body.
 */
export async function createStreamWorld(
  options: { engine?: Partial<RoadmapEngineOptions>; stream?: ServedStreamOptions | (() => ServedStreamOptions) } = {},
): Promise<StreamWorld> {
  const storage = createMemoryStorage();
  const queue = createMemoryQueue();
  const engine = new RoadmapEngine({
    storage,
    queue,
    model: createScriptedModel(),
    worker: false,
    onError: () => {},
    ...options.engine,
  });
  let open = 0;
  const server: Server = createServer((incoming, outgoing) => {
    const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
    const token = url.searchParams.get('token') ?? '';
    const match = /^\/tasks\/([^/]+)\/events$/.exec(url.pathname);
    if (!token.startsWith('token-') || (url.pathname !== '/events' && !match)) {
      outgoing.writeHead(token.startsWith('token-') ? 404 : 401).end();
      return;
    }
    const resumeFrom = incoming.headers['last-event-id'] ?? url.searchParams.get('since') ?? undefined;
    const controller = new AbortController();
    outgoing.once('close', () => controller.abort());
    const extra = typeof options.stream === 'function' ? options.stream() : options.stream;
    openEventStream({
      hub: { pollIntervalMs: 10 },
      onError: () => {},
      ...extra,
      engine,
      userId: token.slice('token-'.length),
      ...(match ? { taskId: decodeURIComponent(match[1] as string) } : {}),
      ...(resumeFrom === undefined ? {} : { since: resumeFrom === '' ? Number.NaN : Number(resumeFrom) }),
      signal: controller.signal,
    }).then(
      async (stream) => {
        open += 1;
        outgoing.writeHead(200, eventStreamHeaders);
        outgoing.flushHeaders();
        const reader = stream.getReader();
        controller.signal.addEventListener('abort', () => void reader.cancel().catch(() => {}), { once: true });
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            if (!outgoing.write(value)) {
              await new Promise<void>((resolve) => {
                outgoing.once('drain', resolve);
                outgoing.once('close', resolve);
              });
            }
          }
        } catch {
          // The stream failed (a slow consumer): end what was sent; the client reconnects.
        } finally {
          open -= 1;
          outgoing.end();
        }
      },
      (error: unknown) => {
        const answer = toHttpResponse(error);
        outgoing.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
        outgoing.end(JSON.stringify(answer.body));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    engine,
    storage,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    openStreams: () => open,
    async createTask(userId) {
      const { task } = await engine.generate({ userId, request: { preferences: { learning_goal: 'Learn Rust' } } });
      return task.task_id;
    },
    async append(taskId, userId, fields = {}) {
      const stored = await storage.appendEvent({
        type: 'progress',
        task_id: taskId,
        user_id: userId,
        timestamp: isoTime(Date.now()),
        step: 'content_generation',
        status: 'processing',
        message: 'working',
        progress: { completed: 0, failed: 0, total: 0, percentage: 0 },
        ...fields,
      } as NewRoadmapEvent);
      if (!stored) throw new Error('append failed');
      return stored.seq;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.stop();
      await queue.close();
    },
  };
}

/** Parses SSE text into frames; returns the frames and the unfinished rest. */
export function parseFrames(text: string): { frames: StreamFrame[]; rest: string } {
  const frames: StreamFrame[] = [];
  const blocks = text.split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    const frame: StreamFrame = { id: undefined, event: 'message', data: undefined, comment: undefined };
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        frame.comment = line.slice(1).trim();
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') frame.id = value;
      else if (field === 'event') frame.event = value;
      else if (field === 'data') frame.data = JSON.parse(value) as StreamFrame['data'];
    }
    frames.push(frame);
  }
  return { frames, rest };
}

/** A client of one event stream over a real socket: records its status, raw text and frames, and how it ended. */
export class StreamClient {
  status: number | undefined;
  headers: IncomingMessage['headers'] = {};
  /** The error body of a refused stream. */
  body: unknown;
  readonly frames: StreamFrame[] = [];
  /** Everything received, as text. */
  raw = '';
  /** Resolves once the response ended or the connection closed. */
  readonly ended: Promise<void>;
  response: IncomingMessage | undefined;
  private rest = '';
  private waiters: Array<() => void> = [];
  private readonly clientRequest: ReturnType<typeof request>;
  private isEnded = false;

  constructor(url: string, headers: Record<string, string> = {}) {
    let ended = () => {};
    this.ended = new Promise((resolve) => {
      ended = resolve;
    });
    this.clientRequest = request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (response) => {
      this.response = response;
      this.status = response.statusCode;
      this.headers = response.headers;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        this.raw += chunk;
        const { frames, rest } = parseFrames(this.rest + chunk);
        this.rest = rest;
        this.frames.push(...frames);
        this.notify();
      });
      response.on('end', () => {
        if (response.statusCode !== 200 && this.raw !== '') this.body = JSON.parse(this.raw);
      });
      response.on('close', () => {
        this.isEnded = true;
        this.notify();
        ended();
      });
    });
    this.clientRequest.on('error', () => {
      this.isEnded = true;
      this.notify();
      ended();
    });
    this.clientRequest.end();
  }

  /** Message frames (not comments). */
  messages(): NonNullable<StreamFrame['data']>[] {
    return this.frames.flatMap((frame) => (frame.data ? [frame.data] : []));
  }

  /** Event frames (not control messages, not comments). */
  events(): NonNullable<StreamFrame['data']>[] {
    return this.messages().filter((message) => !controlTypes.has(message.type));
  }

  /** The `id` of the last frame that had one: what a browser sends as `Last-Event-ID` on reconnecting. */
  lastEventId(): string | undefined {
    return this.frames.findLast((frame) => frame.id !== undefined)?.id;
  }

  /** Drops the connection, as a browser tab that goes away. */
  disconnect(): void {
    this.clientRequest.destroy();
  }

  /** Resolves once `predicate` holds (checked on every frame and at the end); rejects after 10 s. */
  async waitFor(predicate: () => boolean, what = 'the stream'): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!predicate()) {
      if (this.isEnded && !predicate()) {
        await new Promise((resolve) => setImmediate(resolve));
        if (!predicate()) throw new Error(`${what}: the stream ended; got ${JSON.stringify(this.frames.slice(-3))}`);
        return;
      }
      if (Date.now() > deadline) throw new Error(`${what}: timed out; got ${JSON.stringify(this.frames.slice(-3))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The `count`-th message of `type`, once it arrived. */
  async waitForType(type: string, count = 1): Promise<NonNullable<StreamFrame['data']>> {
    await this.waitFor(() => this.messages().filter((message) => message.type === type).length >= count, type);
    return this.messages().filter((message) => message.type === type)[count - 1] as NonNullable<StreamFrame['data']>;
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/** Control messages (SPEC §4), as opposed to stored events. */
export const controlTypes: ReadonlySet<string> = new Set(['connected', 'current_status', 'pong', 'resync', 'closing']);
