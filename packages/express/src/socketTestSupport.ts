import { createServer, type Server } from 'node:http';
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
import { WebSocket } from 'ws';
import {
  attachRoadmapWebSocket,
  type RoadmapWebSocket,
  type RoadmapWebSocketOptions,
} from './attachRoadmapWebSocket.js';

/** A message the server sent, parsed. */
export type ServerMessage = { type: string; task_id: string | null; seq: number; timestamp: string } & Record<
  string,
  unknown
>;

/** Test tokens: `token-<userId>`. */
export const fakeAuthenticate: RoadmapWebSocketOptions['authenticate'] = async ({ token }) =>
  token?.startsWith('token-') ? { userId: token.slice('token-'.length) } : null;

export interface SocketWorld {
  server: Server;
  storage: Storage;
  engine: RoadmapEngine;
  sockets: RoadmapWebSocket;
  url(path: string): string;
  /** Another engine on the same storage and queue: another process, as far as the attachment can tell. */
  otherEngine(options?: Partial<RoadmapEngineOptions>): RoadmapEngine;
  /** A task of `userId` (pending: this world's engine runs no worker unless asked). */
  createTask(userId: string): Promise<string>;
  /** Appends straight to storage (no local emit: only polling finds it), like a worker in another process. */
  append(taskId: string, userId: string, fields?: Partial<NewRoadmapEvent>): Promise<number>;
  close(): Promise<void>;
}

export async function createSocketWorld(
  options: {
    engine?: Partial<RoadmapEngineOptions>;
    sockets?: Partial<RoadmapWebSocketOptions>;
    /** Most random latency of `listEvents`, so reads overlap and reorder as they do against a database. */
    listEventsLatencyMs?: number;
  } = {},
): Promise<SocketWorld> {
  const memory = createMemoryStorage();
  const latency = options.listEventsLatencyMs ?? 0;
  const storage: Storage =
    latency === 0
      ? memory
      : {
          ...memory,
          async listEvents(query) {
            const events = await memory.listEvents(query);
            await new Promise((resolve) => setTimeout(resolve, Math.random() * latency));
            return events;
          },
        };
  const queue = createMemoryQueue();
  const engines: RoadmapEngine[] = [];
  const makeEngine = (engineOptions: Partial<RoadmapEngineOptions> = {}) => {
    const created = new RoadmapEngine({
      storage,
      queue,
      model: createScriptedModel(),
      worker: false,
      onError: () => {},
      ...engineOptions,
    });
    engines.push(created);
    return created;
  };
  const engine = makeEngine(options.engine);
  const server = createServer((_request, response) => response.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sockets = attachRoadmapWebSocket(server, engine, {
    authenticate: fakeAuthenticate,
    pollIntervalMs: 10,
    onError: () => {},
    ...options.sockets,
  });
  return {
    server,
    storage,
    engine,
    sockets,
    url: (path) => `ws://127.0.0.1:${port}${path}`,
    otherEngine: makeEngine,
    async createTask(userId) {
      const { task } = await engine.generate({ userId, request: { preferences: { learning_goal: 'Learn Rust' } } });
      return task.task_id;
    },
    async append(taskId, userId, fields = {}) {
      const event = {
        type: 'progress',
        task_id: taskId,
        user_id: userId,
        timestamp: isoTime(Date.now()),
        step: 'content_generation',
        status: 'processing',
        message: 'working',
        progress: { completed: 0, failed: 0, total: 0, percentage: 0 },
        ...fields,
      } as NewRoadmapEvent;
      const stored = await storage.appendEvent(event);
      if (!stored) throw new Error('append failed');
      return stored.seq;
    },
    async close() {
      await sockets.close();
      for (const each of engines) await each.stop();
      await queue.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A real `ws` client that records every message and how it closed. */
export class TestClient {
  readonly messages: ServerMessage[] = [];
  closeCode: number | undefined;
  readonly socket: WebSocket;
  readonly closed: Promise<number>;
  private waiters: Array<() => void> = [];

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as ServerMessage);
      this.notify();
    });
    this.closed = new Promise((resolve) => {
      this.socket.on('close', (code) => {
        this.closeCode = code;
        this.notify();
        resolve(code);
      });
    });
    this.socket.on('error', () => {});
  }

  /** Events (not control messages) received, in order. */
  events(): ServerMessage[] {
    return this.messages.filter((message) => !controlTypes.has(message.type));
  }

  send(value: unknown): void {
    this.socket.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** Resolves once `predicate` holds for the messages so far (checked on every message and on close). */
  async waitFor(predicate: (messages: ServerMessage[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(this.messages.slice(-3))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitForType(type: string, count = 1): Promise<ServerMessage> {
    await this.waitFor((messages) => messages.filter((message) => message.type === type).length >= count);
    return this.messages.filter((message) => message.type === type)[count - 1] as ServerMessage;
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

export const controlTypes: ReadonlySet<string> = new Set(['connected', 'current_status', 'pong', 'resync', 'closing']);

/** The HTTP status of a refused upgrade. */
export async function refusedStatus(url: string): Promise<number> {
  return (await refusedResponse(url)).status;
}

/** Status, headers and parsed body of a refused upgrade. */
export function refusedResponse(
  url: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      response.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Not JSON: keep the text.
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
        socket.terminate();
      });
    });
    socket.on('open', () => reject(new Error('the upgrade was accepted')));
    socket.on('error', () => {});
  });
}
