// The subscription over Server-Sent Events (SPEC §8) against a real HTTP server on 127.0.0.1:0 (Node's own `fetch`),
// and the `auto` transport's fallback. Timers are the test's: a reconnect waits until the test fires it.
import { afterEach, describe, expect, it } from 'vitest';
import { type EventStreamServer, type ScriptedMessage, startEventStreamServer } from './eventStreamTestServer.js';
import { createRoadmapClient, type RoadmapApiError, type RoadmapClientOptions } from './index.js';
import type { ConnectionState } from './taskSubscription.js';

// `ws` is a dev dependency of core: Node 20 has no global WebSocket.
const { WebSocket: NodeWebSocket } = (await import('ws')) as unknown as { WebSocket: typeof WebSocket };

const timestamp = '2025-01-01T00:00:00.000Z';
const progress = { completed: 1, failed: 0, total: 3, percentage: 33 };
const event = (seq: number, taskId = 't-1'): ScriptedMessage => ({
  type: 'concept_complete',
  seq,
  task_id: taskId,
  user_id: 'u-1',
  timestamp,
  concept_id: `c-${seq}`,
  concept_name: 'Ownership',
  content_type: 'tutorial',
  progress,
});

/** Wakes the test whenever the client or the server did something, so it awaits conditions, never sleeps. */
function createWaiter() {
  let waiters: Array<() => void> = [];
  return {
    notify: () => {
      const woken = waiters;
      waiters = [];
      for (const wake of woken) wake();
    },
    until: async (check: () => boolean) => {
      while (!check()) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

/** The idle timeout with the default ping interval (25 s): twice it. */
const idleTimeoutMs = 50_000;

/**
 * Timers the test fires: `fire()` runs the reconnects that wait (the stable-connection timer and the idle watchdog are
 * left pending); `fireIdle()` runs the idle watchdogs.
 */
function createManualTimers() {
  const pending = new Map<number, { callback: () => void; ms: number }>();
  const delays: number[] = [];
  let next = 0;
  const run = (which: (ms: number) => boolean) => {
    const due = [...pending].filter(([, timer]) => which(timer.ms));
    for (const [handle, timer] of due) {
      pending.delete(handle);
      timer.callback();
    }
    return due.length;
  };
  return {
    delays,
    /** Idle watchdogs pending now. */
    get pendingIdle() {
      return [...pending.values()].filter((timer) => timer.ms === idleTimeoutMs).length;
    },
    setTimeout: (callback: () => void, ms: number) => {
      pending.set(++next, { callback, ms });
      if (ms !== idleTimeoutMs && ms !== 10_000) delays.push(ms);
      waiter.notify();
      return next;
    },
    clearTimeout: (handle: unknown) => {
      pending.delete(handle as number);
    },
    /** Runs every pending idle watchdog; returns how many ran. */
    fireIdle: () => run((ms) => ms === idleTimeoutMs),
    /** Runs every pending reconnect; returns how many ran. */
    fire: () => {
      const due = [...pending].filter(([, timer]) => timer.ms !== 10_000 && timer.ms !== idleTimeoutMs);
      for (const [handle, timer] of due) {
        pending.delete(handle);
        timer.callback();
      }
      return due.length;
    },
  };
}

const waiter = createWaiter();
const servers: EventStreamServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serve(options: Omit<Parameters<typeof startEventStreamServer>[0], 'onChange'>) {
  const server = await startEventStreamServer({ ...options, onChange: waiter.notify });
  servers.push(server);
  return server;
}

function client(server: EventStreamServer, overrides: Partial<RoadmapClientOptions> = {}) {
  const timers = createManualTimers();
  const created = createRoadmapClient({
    baseUrl: server.baseUrl,
    token: 'jwt-1',
    transport: 'sse',
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    random: () => 0,
    ...overrides,
  });
  return { client: created, timers };
}

describe('subscribeTask over SSE', () => {
  it('receives events from the task stream with the bearer token, ignoring keep-alive comments', async () => {
    const server = await serve({ events: [event(2), event(5), event(9)] });
    const seqs: number[] = [];
    const states: ConnectionState[] = [];
    const { client: sse } = client(server);
    sse.subscribeTask('t-1', {
      since: 2,
      onEvent: (received) => {
        seqs.push(received.seq);
        waiter.notify();
      },
      onStateChange: (state) => states.push(state),
    });
    await waiter.until(() => seqs.length === 2);
    expect(seqs).toEqual([5, 9]);
    expect(states).toEqual(['connecting', 'open']);
    expect(server.requests).toEqual([
      { url: '/api/v1/roadmaps/tasks/t-1/events', authorization: 'Bearer jwt-1', lastEventId: '2', upgrade: false },
    ]);
  });

  it('resumes with Last-Event-ID after the server cuts the connection: no gap, no duplicate over many cuts', async () => {
    // Seeded: where each connection is cut (mid-frame too) and how much of the past each replay repeats.
    let seed = 20_251_205;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const events = Array.from({ length: 120 }, (_, index) => event(3 * index + 1 + (index % 2)));
    const server = await serve({
      events,
      script: () => ({ cutAfterBytes: 40 + Math.floor(random() * 1200), repeat: Math.floor(random() * 4) }),
    });
    const seqs: number[] = [];
    const { client: sse, timers } = client(server);
    sse.subscribeEvents({
      since: 0,
      onEvent: (received) => {
        seqs.push(received.seq);
        waiter.notify();
      },
      onStateChange: waiter.notify,
    });
    while (seqs.length < events.length) {
      await waiter.until(() => seqs.length === events.length || timers.fire() > 0);
    }
    expect(seqs).toEqual(events.map((message) => message.seq));
    const streams = server.requests.filter((request) => request.url.endsWith('/events'));
    expect(streams.length).toBeGreaterThan(10);
    // Each reconnect resumes from the last event delivered before its cut: 0 (the start) or a delivered seq.
    const resumedFrom = streams.map((request) => Number(request.lastEventId));
    expect(resumedFrom[0]).toBe(0);
    expect(resumedFrom.every((seq) => seq === 0 || seqs.includes(seq))).toBe(true);
    expect(resumedFrom).toEqual([...resumedFrom].sort((left, right) => left - right));
  });

  it('replaces a stream silent for a whole idle period, resuming from the last seq; a period with traffic keeps it', async () => {
    const server = await serve({ events: [event(2), event(5)] });
    const seqs: number[] = [];
    const { client: sse, timers } = client(server);
    sse.subscribeEvents({
      since: 0,
      onEvent: (received) => {
        seqs.push(received.seq);
        waiter.notify();
      },
      onStateChange: waiter.notify,
    });
    await waiter.until(() => seqs.length === 2);
    expect(timers.pendingIdle).toBe(1);

    // Events came in this period: the check arms the next one and the stream stays (no reconnect is scheduled).
    expect(timers.fireIdle()).toBe(1);
    expect(timers.pendingIdle).toBe(1);
    expect(timers.fire()).toBe(0);

    // Then a silent period: the stream is closed and a reconnect resumes after seq 5.
    expect(timers.fireIdle()).toBe(1);
    await waiter.until(() => server.closedStreams === 1);
    expect(timers.fire()).toBe(1);
    await waiter.until(() => server.requests.length === 2);
    expect(server.requests.map((request) => request.lastEventId)).toEqual(['0', '5']);
    expect(seqs).toEqual([2, 5]);
  });

  it('unsubscribe aborts the request: the server sees the stream close', async () => {
    const server = await serve({ events: [event(1)] });
    const { client: sse } = client(server);
    let opened = false;
    const unsubscribe = sse.subscribeEvents({
      onEvent: () => {},
      onStateChange: (state) => {
        opened ||= state === 'open';
        waiter.notify();
      },
    });
    await waiter.until(() => opened);
    expect(server.closedStreams).toBe(0);
    unsubscribe();
    await waiter.until(() => server.closedStreams === 1);
    expect(server.requests).toHaveLength(1);
  });

  it('stops after the closing that follows a finished task', async () => {
    const completed = { ...event(4), type: 'completed', roadmap_id: 'r-1', status: 'completed' };
    const closing = { type: 'closing', task_id: 't-1', seq: 4, timestamp, reason: 'task_completed' };
    const server = await serve({ events: [event(3), completed], script: () => ({ endWith: [closing] }) });
    const states: ConnectionState[] = [];
    const types: string[] = [];
    const { client: sse, timers } = client(server);
    sse.subscribeTask('t-1', {
      since: 0,
      onEvent: (received) => types.push(received.type),
      onStateChange: (state) => {
        states.push(state);
        waiter.notify();
      },
    });
    await waiter.until(() => states.includes('closed'));
    expect(types).toEqual(['concept_complete', 'completed']);
    expect(timers.fire()).toBe(0);
  });
});

describe('basePath', () => {
  it('prefixes every REST, socket and stream URL', async () => {
    const server = await serve({ basePath: '/roadmap-api', events: [event(1)] });
    const { client: sse } = client(server, { basePath: '/roadmap-api/' });
    await expect(sse.listTasks()).resolves.toEqual({ tasks: [] });
    let opened = false;
    sse.subscribeTask('t-1', {
      onEvent: () => {},
      onStateChange: (state) => {
        opened ||= state === 'open';
        waiter.notify();
      },
    });
    const sockets: string[] = [];
    class RecordingSocket {
      constructor(url: string) {
        sockets.push(url);
      }
      close() {}
    }
    const unsubscribe = createRoadmapClient({
      baseUrl: 'https://app.example.com',
      basePath: '/roadmap-api',
      WebSocket: RecordingSocket as unknown as typeof WebSocket,
      transport: 'websocket',
    }).subscribeEvents({ since: 3, onEvent: () => {} });
    await waiter.until(() => server.requests.length === 2 && opened);
    unsubscribe();
    expect(server.requests.map((request) => request.url)).toEqual([
      '/roadmap-api/roadmaps/tasks',
      '/roadmap-api/roadmaps/tasks/t-1/events',
    ]);
    expect(sockets).toEqual(['wss://app.example.com/roadmap-api/ws?since=3']);
  });
});

describe("transport 'auto'", () => {
  it('uses SSE when there is no WebSocket class (Node 20)', async () => {
    const server = await serve({ events: [event(1)] });
    const seqs: number[] = [];
    const { client: auto } = client(server, { transport: 'auto' });
    expect(globalThis.WebSocket).toBeUndefined();
    auto.subscribeEvents({
      since: 0,
      onEvent: (received) => {
        seqs.push(received.seq);
        waiter.notify();
      },
    });
    await waiter.until(() => seqs.length === 1);
    expect(auto.transport).toBe('sse');
    expect(server.requests.map((request) => request.url)).toEqual(['/api/v1/events']);
  });

  it('falls back to SSE when the WebSocket cannot connect while REST answers, and stays there', async () => {
    const server = await serve({
      events: [event(1), event(2)],
      script: (index) => (index === 0 ? { cutAfterBytes: 200 } : {}),
    });
    const seqs: number[] = [];
    const { client: auto, timers } = client(server, {
      transport: 'auto',
      WebSocket: NodeWebSocket,
      // Wakes the test once the client has read the access check's answer.
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (!String(input).endsWith('/roadmaps/tasks/t-1')) return response;
        const body = await response.text();
        setImmediate(waiter.notify);
        return new Response(body, response);
      },
    });
    expect(auto.transport).toBe('auto');
    auto.subscribeTask('t-1', {
      since: 0,
      onEvent: (received) => {
        seqs.push(received.seq);
        waiter.notify();
      },
      onStateChange: waiter.notify,
    });
    // The upgrade is refused (this server has no WebSocket), the REST twin answers: the client moves to SSE.
    await waiter.until(() => auto.transport === 'sse');
    // The first SSE connection is cut mid-stream; the reconnect stays on SSE.
    while (seqs.length < 2) await waiter.until(() => seqs.length === 2 || timers.fire() > 0);
    expect(seqs).toEqual([1, 2]);
    expect(server.requests.map((request) => [request.url, request.upgrade])).toEqual([
      ['/api/v1/ws/t-1?token=jwt-1&since=0', true],
      ['/api/v1/roadmaps/tasks/t-1', false],
      ['/api/v1/roadmaps/tasks/t-1/events', false],
      ['/api/v1/roadmaps/tasks/t-1/events', false],
    ]);
    // A new stream of the same client goes straight to SSE.
    auto.subscribeEvents({ onEvent: () => {} });
    await waiter.until(() => server.requests.length === 5);
    expect(server.requests.at(-1)).toMatchObject({ url: '/api/v1/events', upgrade: false });
  });
});

describe("transport 'websocket'", () => {
  it('refuses to subscribe without a WebSocket class instead of failing at every reconnect', () => {
    const socketOnly = createRoadmapClient({ baseUrl: 'http://127.0.0.1:1', transport: 'websocket' });
    expect(() => socketOnly.subscribeEvents({ onEvent: () => {} })).toThrow(TypeError);
    expect(socketOnly.transport).toBe('websocket');
  });
});

describe('a refused token over SSE (onAuthError)', () => {
  it('reports a 401 once, asks the token function without connecting while it returns that token, resumes on a new one', async () => {
    let valid = 'jwt-2';
    const server = await serve({
      events: [event(1), event(2)],
      accepts: (authorization) => authorization === `Bearer ${valid}`,
    });
    let current = 'jwt-1';
    let asked = 0;
    const authErrors: RoadmapApiError[] = [];
    const refusals: RoadmapApiError[] = [];
    const states: ConnectionState[] = [];
    const seqs: number[] = [];
    const { client: sse, timers } = client(server, {
      token: () => {
        asked += 1;
        return current;
      },
      onAuthError: (error) => authErrors.push(error),
    });
    const options = {
      since: 0,
      onEvent: (received: { seq: number }) => {
        seqs.push(received.seq);
        waiter.notify();
      },
      onStateChange: (state: ConnectionState) => {
        states.push(state);
        waiter.notify();
      },
      onRefused: (error: RoadmapApiError) => refusals.push(error),
    };
    sse.subscribeEvents(options);
    sse.subscribeTask('t-1', options);
    await waiter.until(() => refusals.length === 2);
    expect(authErrors).toHaveLength(1);
    expect(authErrors[0]).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(states).toEqual(['connecting', 'connecting', 'reconnecting', 'reconnecting']);

    // Each reconnect delay asks the token again, and connects nowhere while it is the refused one.
    const requests = server.requests.length;
    for (let round = 0; round < 5; round += 1) {
      const before = asked;
      expect(timers.fire()).toBe(2);
      await waiter.until(() => asked === before + 2);
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.requests).toHaveLength(requests);
    expect(authErrors).toHaveLength(1);
    expect(timers.delays).toEqual([500, 500, 1000, 1000, 2000, 2000, 4000, 4000, 8000, 8000, 16_000, 16_000]);

    // A new token resumes both streams from where they were.
    current = valid;
    timers.fire();
    await waiter.until(() => seqs.length === 4);
    expect(seqs.sort()).toEqual([1, 1, 2, 2]);
    expect(states.slice(-2)).toEqual(['open', 'open']);
    expect(server.requests.slice(-2).map((request) => request.authorization)).toEqual(['Bearer jwt-2', 'Bearer jwt-2']);
    valid = 'none';
  });

  it('stops for good on a 401 when the token is a fixed string', async () => {
    const server = await serve({ events: [], accepts: () => false });
    const states: ConnectionState[] = [];
    const authErrors: RoadmapApiError[] = [];
    const { client: sse, timers } = client(server, { onAuthError: (error) => authErrors.push(error) });
    sse.subscribeEvents({
      onEvent: () => {},
      onStateChange: (state) => {
        states.push(state);
        waiter.notify();
      },
    });
    await waiter.until(() => states.includes('closed'));
    expect(authErrors.map((error) => error.status)).toEqual([401]);
    expect(timers.fire()).toBe(0);
    expect(server.requests).toHaveLength(1);
  });

  it('treats closing token_expired followed by the same token as a refusal, and resumes with a new one', async () => {
    const closing = { type: 'closing', task_id: null, seq: 1, timestamp, reason: 'token_expired' };
    const server = await serve({ events: [event(1)], script: (index) => (index === 0 ? { endWith: [closing] } : {}) });
    let current = 'jwt-1';
    const authErrors: RoadmapApiError[] = [];
    const states: ConnectionState[] = [];
    const seqs: number[] = [];
    const { client: sse, timers } = client(server, {
      token: () => current,
      onAuthError: (error) => {
        authErrors.push(error);
        waiter.notify();
      },
    });
    sse.subscribeEvents({
      since: 0,
      onEvent: (received) => seqs.push(received.seq),
      onStateChange: (state) => {
        states.push(state);
        waiter.notify();
      },
    });
    await waiter.until(() => states.includes('reconnecting'));
    expect(timers.fire()).toBe(1);
    await waiter.until(() => authErrors.length === 1);
    expect(authErrors[0]).toMatchObject({ status: 401, code: 'token_expired' });
    expect(server.requests).toHaveLength(1);
    current = 'jwt-2';
    expect(timers.fire()).toBe(1);
    await waiter.until(() => server.requests.length === 2 && states.at(-1) === 'open');
    expect(server.requests[1]).toMatchObject({ authorization: 'Bearer jwt-2', lastEventId: '1' });
    expect(seqs).toEqual([1]);
  });
});
