// The browser client of @roadmap/core against the real WebSocket endpoints: what a task list open in a tab sees
// when the server is redeployed.
import { createRoadmapClient } from '@roadmap/core/client';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { attachRoadmapWebSocket, type RoadmapWebSocket } from './attachRoadmapWebSocket.js';
import { createSocketWorld, fakeAuthenticate, type SocketWorld } from './socketTestSupport.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Resolves once `condition` holds, checked every few milliseconds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the client across a server restart', () => {
  it('an idle user stream resumes from the head it was given: nothing it already knew is replayed', async () => {
    const world: SocketWorld = await createSocketWorld();
    cleanups.push(() => world.close());
    const taskId = await world.createTask('alice');
    for (let index = 0; index < 10; index += 1) await world.append(taskId, 'alice');

    /** `connected` messages the client received, and the `since` of each connection it opened. */
    const connected: number[] = [];
    const sinces: Array<string | null> = [];
    class RecordingWebSocket extends WebSocket {
      constructor(url: string) {
        super(url);
        sinces.push(new URL(url).searchParams.get('since'));
        this.on('message', (data) => {
          const message = JSON.parse(String(data)) as { type: string; seq: number };
          if (message.type === 'connected') connected.push(message.seq);
        });
      }
    }
    const received: number[] = [];
    const client = createRoadmapClient({
      baseUrl: world.url('').replace(/^ws/, 'http'),
      token: 'token-alice',
      WebSocket: RecordingWebSocket as unknown as typeof globalThis.WebSocket,
      reconnectDelayMs: 10,
      random: () => 0,
    });
    const stop = client.subscribeEvents({ onEvent: (event) => received.push(event.seq) });
    cleanups.push(stop);
    await until(() => connected.length === 1, 'the first connection');
    const head = (await world.engine.listEvents({})).at(-1)?.seq as number;
    expect(connected[0]).toBe(head);

    // A deploy: the attachment says closing (server_shutdown, 1001) and a new one takes the upgrades.
    await world.sockets.close();
    const restarted: RoadmapWebSocket = attachRoadmapWebSocket(world.server, world.engine, {
      authenticate: fakeAuthenticate,
      pollIntervalMs: 10,
      onError: () => {},
    });
    cleanups.push(() => restarted.close());
    await until(() => connected.length === 2, 'the reconnection');
    expect(sinces.at(-1)).toBe(String(head));

    const next = await world.append(taskId, 'alice');
    await until(() => received.length > 0, 'the next event');
    expect(received).toEqual([next]);
  });
});
