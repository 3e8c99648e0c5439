// The subscription against a real WebSocket server and the `ws` package's client (what Node 20 users pass in).
// `ws` is a devDependency of @roadmap/express, not of core: loaded by path, and skipped when it is not there.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRoadmapClient } from './index.js';

interface ServerSocket {
  send(data: string): void;
  close(code?: number): void;
  terminate(): void;
  on(event: 'message', listener: (data: unknown) => void): void;
}
interface WsModule {
  WebSocket: unknown;
  WebSocketServer: new (options: {
    port: number;
  }) => {
    address(): AddressInfo;
    on(event: 'connection', listener: (socket: ServerSocket, request: { url?: string }) => void): void;
    on(event: 'listening', listener: () => void): void;
    close(): void;
  };
}

// `ws` is a dev dependency of core: Node 20 has no global WebSocket, and browsers are what the client targets.
const ws = (await import('ws')) as unknown as WsModule;

const timestamp = '2025-01-01T00:00:00.000Z';
const progress = { completed: 1, failed: 0, total: 3, percentage: 33 };
const event = (seq: number, type = 'concept_complete') => ({
  type,
  seq,
  task_id: 't-1',
  user_id: 'u-1',
  timestamp,
  concept_id: 'c-1',
  concept_name: 'Ownership',
  content_type: 'tutorial',
  progress,
  ...(type === 'completed' ? { roadmap_id: 'r-1', status: 'completed', tutorials_count: 1, failed_count: 0 } : {}),
});

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function startServer(onConnection: (socket: ServerSocket, url: URL, index: number) => void) {
  const server = new ws.WebSocketServer({ port: 0 });
  await new Promise<void>((resolve) => server.on('listening', resolve));
  cleanups.push(() => server.close());
  let index = 0;
  server.on('connection', (socket, request) => onConnection(socket, new URL(request.url ?? '/', 'ws://x'), index++));
  return `http://127.0.0.1:${server.address().port}`;
}

describe('subscribeTask over a real socket (ws)', () => {
  it('resumes with since after the server drops the connection, then stops after closing', async () => {
    const urls: string[] = [];
    const received: number[] = [];
    const pings: string[] = [];
    const baseUrl = await startServer((socket, url, index) => {
      urls.push(`${url.pathname}${url.search}`);
      socket.on('message', (data) => pings.push(String(data)));
      if (index === 0) {
        socket.send(JSON.stringify({ type: 'connected', task_id: 't-1', seq: 0, timestamp }));
        socket.send(JSON.stringify(event(1)));
        socket.send(JSON.stringify(event(2)));
        // Cut once the client has pinged (not after a fixed time, which a loaded machine may not honour).
        socket.on('message', () => socket.terminate());
      } else {
        // The replay repeats seq 2: the client must drop it.
        for (const seq of [2, 3]) socket.send(JSON.stringify(event(seq)));
        socket.send(JSON.stringify(event(4, 'completed')));
        socket.send(JSON.stringify({ type: 'closing', task_id: 't-1', seq: 4, timestamp, reason: 'task_completed' }));
        socket.close(1000);
      }
    });
    const closed = new Promise<void>((resolve) => {
      createRoadmapClient({
        baseUrl,
        token: 'jwt-1',
        WebSocket: ws.WebSocket as typeof WebSocket,
        reconnectDelayMs: 10,
        pingIntervalMs: 5,
      }).subscribeTask('t-1', {
        since: 0,
        onEvent: (message) => received.push(message.seq),
        onStateChange: (state) => {
          if (state === 'closed') resolve();
        },
      });
    });
    await closed;
    expect(received).toEqual([1, 2, 3, 4]);
    expect(urls).toEqual(['/api/v1/ws/t-1?token=jwt-1&since=0', '/api/v1/ws/t-1?token=jwt-1&since=2']);
    expect(pings).toContain('{"type":"ping"}');
  });
});
