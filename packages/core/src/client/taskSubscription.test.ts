import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../testing/fakeWebSocket.js';
import { createRoadmapClient, RoadmapApiError, type RoadmapClientOptions } from './index.js';
import type { ConnectionState } from './taskSubscription.js';

const timestamp = '2025-01-01T00:00:00.000Z';
const progress = { completed: 1, failed: 0, total: 3, percentage: 33 };

function event(seq: number, type = 'concept_complete', fields: Record<string, unknown> = {}) {
  return {
    type,
    seq,
    task_id: 't-1',
    user_id: 'u-1',
    timestamp,
    concept_id: `c-${seq}`,
    concept_name: 'Ownership',
    content_type: 'tutorial',
    progress,
    ...fields,
  };
}
const control = (type: string, seq: number, fields: Record<string, unknown> = {}) => ({
  type,
  task_id: 't-1',
  seq,
  timestamp,
  ...fields,
});
const completed = (seq: number) =>
  event(seq, 'completed', { roadmap_id: 'r-1', status: 'completed', tutorials_count: 3, failed_count: 0 });

let delays: number[];
/** Status of the REST requests the client makes (the access check after a connection refused before opening). */
let restStatus: number;
let restRequests: string[];

/** A `fetch` answering every request with `restStatus` (and the API's error body when it is not 200). */
const fakeFetch = (async (url: string) => {
  restRequests.push(url);
  const body = restStatus === 200 ? '{}' : JSON.stringify({ detail: 'Token expired.', code: 'unauthorized' });
  return {
    ok: restStatus === 200,
    status: restStatus,
    headers: new Headers(),
    text: async () => body,
    json: async () => JSON.parse(body),
  };
}) as unknown as typeof fetch;

function setup(overrides: Partial<RoadmapClientOptions> = {}) {
  return createRoadmapClient({
    baseUrl: 'https://app.example.com',
    token: 'jwt-1',
    fetch: fakeFetch,
    WebSocket: FakeWebSocket as unknown as typeof WebSocket,
    transport: 'websocket',
    setTimeout: (callback, ms) => {
      delays.push(ms);
      return setTimeout(callback, ms);
    },
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    random: () => 0,
    ...overrides,
  });
}

/** Lets the asynchronous connect (token lookup) run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

function latest(): FakeWebSocket {
  const socket = FakeWebSocket.instances.at(-1);
  if (!socket) throw new Error('no socket was opened');
  return socket;
}

/** Reconnect delays scheduled so far (pings and the stable-connection timer left out). */
const reconnectDelays = () => delays.filter((ms) => ms !== 25_000 && ms !== 10_000 && ms !== 50_000);

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
  delays = [];
  restStatus = 200;
  restRequests = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('subscribeTask', () => {
  it('connects to the task endpoint with token and since, and delivers events in seq order once', async () => {
    const states: ConnectionState[] = [];
    const seqs: number[] = [];
    setup().subscribeTask('t-1', {
      since: 4,
      onEvent: (received) => seqs.push(received.seq),
      onStateChange: (state) => states.push(state),
    });
    await settle();
    const socket = latest();
    expect(socket.url).toBe('wss://app.example.com/api/v1/ws/t-1?token=jwt-1&since=4');
    socket.open();
    socket.receive(control('connected', 4));
    socket.receive(event(3));
    socket.receive(event(4));
    socket.receive(event(5));
    socket.receive(event(5));
    socket.receive(event(9));
    socket.receive(event(7));
    expect(seqs).toEqual([5, 9]);
    expect(states).toEqual(['connecting', 'open']);
  });

  it('reconnects with doubling delays capped at the maximum, resuming after the last seq seen', async () => {
    const seqs: number[] = [];
    const states: ConnectionState[] = [];
    setup().subscribeTask('t-1', {
      onEvent: (received) => seqs.push(received.seq),
      onStateChange: (state) => states.push(state),
    });
    await settle();
    expect(latest().query).toEqual({ token: 'jwt-1' });
    latest().open();
    latest().receive(event(3));
    latest().receive(control('pong', 8));
    latest().drop();
    expect(states).toEqual(['connecting', 'open', 'reconnecting']);

    for (let attempt = 0; attempt < 9; attempt += 1) {
      await vi.advanceTimersByTimeAsync(reconnectDelays().at(-1) ?? 0);
      expect(latest().query.since).toBe('8');
      latest().drop();
    }
    expect(reconnectDelays()).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
    expect(FakeWebSocket.instances).toHaveLength(10);

    // The next connection replays from since=8: an old event is dropped, new ones arrive in order.
    await vi.advanceTimersByTimeAsync(30_000);
    latest().open();
    latest().receive(control('connected', 8));
    latest().receive(event(8));
    latest().receive(event(11));
    expect(seqs).toEqual([3, 11]);
    expect(states.at(-1)).toBe('open');
  });

  it('never delivers an event twice across a reconnect', async () => {
    const seqs: number[] = [];
    setup().subscribeTask('t-1', { since: 0, onEvent: (received) => seqs.push(received.seq) });
    await settle();
    latest().open();
    for (const seq of [1, 2, 3]) latest().receive(event(seq));
    latest().drop();
    await vi.advanceTimersByTimeAsync(500);
    expect(latest().query.since).toBe('3');
    latest().open();
    // A server that replays too much (or a live event racing the replay) must not produce duplicates.
    for (const seq of [2, 3, 4, 3, 5]) latest().receive(event(seq));
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
  });

  it('scales reconnect delays down by the injected jitter', async () => {
    setup({ random: () => 0.5 }).subscribeTask('t-1', { onEvent: () => {} });
    await settle();
    latest().drop();
    await vi.advanceTimersByTimeAsync(375);
    latest().drop();
    expect(reconnectDelays()).toEqual([375, 750]);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('resets the delay after a connection stayed open', async () => {
    setup().subscribeTask('t-1', { onEvent: () => {} });
    await settle();
    latest().drop();
    await vi.advanceTimersByTimeAsync(500);
    latest().drop();
    await vi.advanceTimersByTimeAsync(1000);
    latest().open();
    await vi.advanceTimersByTimeAsync(10_000);
    latest().drop();
    expect(reconnectDelays()).toEqual([500, 1000, 500]);
  });

  it('does not reset the delay when a connection drops soon after opening', async () => {
    setup().subscribeTask('t-1', { onEvent: () => {} });
    await settle();
    latest().open();
    latest().drop();
    await vi.advanceTimersByTimeAsync(500);
    latest().open();
    await vi.advanceTimersByTimeAsync(2000);
    latest().drop();
    expect(reconnectDelays()).toEqual([500, 1000]);
  });

  it('stops after closing that follows a terminal event', async () => {
    const states: ConnectionState[] = [];
    const types: string[] = [];
    setup().subscribeTask('t-1', {
      onEvent: (received) => types.push(received.type),
      onStateChange: (state) => states.push(state),
    });
    await settle();
    const socket = latest();
    socket.open();
    socket.receive(event(2));
    socket.receive(completed(3));
    socket.receive(control('closing', 3, { reason: 'task_completed' }));
    socket.drop(1000);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(socket.closedWith).toBe(1000);
    expect(types).toEqual(['concept_complete', 'completed']);
    expect(states).toEqual(['connecting', 'open', 'closed']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops when it connects to a task that already ended', async () => {
    const statuses: string[] = [];
    setup().subscribeTask('t-1', { onEvent: () => {}, onStatus: (status) => statuses.push(status.status) });
    await settle();
    latest().open();
    latest().receive(control('connected', 0));
    latest().receive(
      control('current_status', 0, { status: 'cancelled', current_step: 'cancelled', roadmap_id: 'r-1', progress }),
    );
    latest().receive(control('closing', 0, { reason: 'task_cancelled' }));
    latest().drop(1000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(statuses).toEqual(['cancelled']);
  });

  it('reconnects after closing for a server shutdown', async () => {
    setup().subscribeTask('t-1', { onEvent: () => {} });
    await settle();
    latest().open();
    latest().receive(event(2));
    latest().receive(control('closing', 2, { reason: 'server_shutdown' }));
    latest().drop(1001);
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(latest().query.since).toBe('2');
  });

  it('keeps following a task after its terminal event with followRetries', async () => {
    const types: string[] = [];
    setup().subscribeTask('t-1', { followRetries: true, onEvent: (received) => types.push(received.type) });
    await settle();
    latest().open();
    latest().receive(completed(3));
    latest().receive(control('closing', 3, { reason: 'task_completed' }));
    latest().drop(1000);
    await vi.advanceTimersByTimeAsync(500);
    expect(latest().query.since).toBe('3');
    latest().open();
    latest().receive(event(6, 'progress', { step: 'queued', status: 'pending', message: 'Retrying' }));
    expect(types).toEqual(['completed', 'progress']);
  });

  it('answers resync with the following current_status and accepts the restarted sequence', async () => {
    const statuses: Array<{ status: string; resync: boolean }> = [];
    const seqs: number[] = [];
    setup().subscribeTask('t-1', {
      since: 50,
      onEvent: (received) => seqs.push(received.seq),
      onStatus: (status, info) => statuses.push({ status: status.status, resync: info.resync }),
    });
    await settle();
    latest().open();
    latest().receive(control('connected', 0));
    latest().receive(control('resync', 0, { reason: 'since_ahead_of_log' }));
    latest().receive(
      control('current_status', 0, {
        status: 'processing',
        current_step: 'content_generation',
        roadmap_id: 'r-1',
        progress,
      }),
    );
    latest().receive(event(12));
    latest().receive(
      control('current_status', 12, {
        status: 'processing',
        current_step: 'content_generation',
        roadmap_id: 'r-1',
        progress,
      }),
    );
    expect(statuses).toEqual([
      { status: 'processing', resync: true },
      { status: 'processing', resync: false },
    ]);
    expect(seqs).toEqual([12]);
  });

  it('pings every 25 seconds while open', async () => {
    setup().subscribeTask('t-1', { onEvent: () => {} });
    await settle();
    const socket = latest();
    socket.open();
    await vi.advanceTimersByTimeAsync(24_999);
    expect(socket.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    // The server answers each ping (a sign of life for the idle watchdog).
    socket.receive({ type: 'pong', task_id: 't-1', seq: 0, timestamp: '2025-01-01T00:00:00.000Z' });
    await vi.advanceTimersByTimeAsync(25_000);
    expect(socket.sent).toEqual(['{"type":"ping"}', '{"type":"ping"}']);
    socket.drop();
    await vi.advanceTimersByTimeAsync(100);
    expect(socket.sent).toHaveLength(2);
  });

  it('replaces a socket that stays silent for the idle timeout (twice the ping interval: no pong came back)', async () => {
    const states: ConnectionState[] = [];
    setup().subscribeTask('t-1', { since: 4, onEvent: () => {}, onStateChange: (state) => states.push(state) });
    await settle();
    const socket = latest();
    socket.open();
    await vi.advanceTimersByTimeAsync(49_999);
    expect(socket.closedWith).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.closedWith).toBe(1000);
    expect(states).toEqual(['connecting', 'open', 'reconnecting']);
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(latest().url).toContain('since=4');
  });

  it('unsubscribe closes the socket normally and cancels every timer', async () => {
    const states: ConnectionState[] = [];
    const unsubscribe = setup().subscribeTask('t-1', {
      onEvent: () => {},
      onStateChange: (state) => states.push(state),
    });
    await settle();
    latest().open();
    unsubscribe();
    expect(latest().closedWith).toBe(1000);
    expect(vi.getTimerCount()).toBe(0);
    unsubscribe();
    expect(states).toEqual(['connecting', 'open', 'closed']);
  });

  it('unsubscribe while waiting to reconnect cancels the reconnect', async () => {
    const unsubscribe = setup().subscribeTask('t-1', { onEvent: () => {} });
    await settle();
    latest().drop();
    expect(vi.getTimerCount()).toBe(1);
    unsubscribe();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('unsubscribe before the token resolves opens no socket', async () => {
    let release!: (token: string) => void;
    const unsubscribe = setup({ token: () => new Promise((resolve) => (release = resolve)) }).subscribeTask('t-1', {
      onEvent: () => {},
    });
    unsubscribe();
    release('jwt-1');
    await settle();
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  it('asks the token function for every connection and retries when it fails', async () => {
    // The access check after the first connection closed before opening uses that connection's token, not a new one.
    const tokens = ['jwt-a', new Error('offline'), 'jwt-b'];
    setup({
      token: async () => {
        const next = tokens.shift();
        if (next instanceof Error) throw next;
        return next ?? 'none';
      },
    }).subscribeTask('t-1', { onEvent: () => {} });
    await settle();
    expect(latest().query.token).toBe('jwt-a');
    latest().drop();
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeWebSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(latest().query.token).toBe('jwt-b');
  });
});

describe('a refused token (onAuthError)', () => {
  it("stops reconnecting and calls onAuthError once the stream's REST twin answers 401 after a refused connection", async () => {
    const authErrors: RoadmapApiError[] = [];
    const states: ConnectionState[] = [];
    setup({ onAuthError: (error) => authErrors.push(error) }).subscribeEvents({
      onEvent: () => {},
      onStateChange: (state) => states.push(state),
    });
    await settle();
    // Closed before opening while the server is down: the REST twin fails too, so the stream keeps trying.
    restStatus = 503;
    latest().drop();
    await settle();
    expect(restRequests).toEqual(['https://app.example.com/api/v1/roadmaps/tasks?limit=1']);
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeWebSocket.instances).toHaveLength(2);
    // A connection that opened and then dropped is not checked.
    latest().open();
    latest().drop();
    await settle();
    expect(restRequests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeWebSocket.instances).toHaveLength(3);

    // The token expired meanwhile: the upgrade is refused, and so is the REST twin.
    restStatus = 401;
    latest().drop();
    await settle();
    expect(authErrors).toHaveLength(1);
    expect(authErrors[0]).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(RoadmapApiError.isInstance(authErrors[0])).toBe(true);
    expect(states.at(-1)).toBe('closed');
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(3);
    expect(restRequests).toHaveLength(2);
  });

  it('with a token function, waits without connecting while it returns the refused token, and resumes on a new one', async () => {
    const authErrors: RoadmapApiError[] = [];
    const refusals: RoadmapApiError[] = [];
    const states: ConnectionState[] = [];
    let current = 'jwt-old';
    let asked = 0;
    setup({
      token: () => {
        asked += 1;
        return current;
      },
      onAuthError: (error) => authErrors.push(error),
    }).subscribeTask('t-1', {
      since: 6,
      onEvent: () => {},
      onStateChange: (state) => states.push(state),
      onRefused: (error) => refusals.push(error),
    });
    await settle();
    restStatus = 401;
    latest().drop();
    await settle();
    expect(authErrors.map((error) => error.status)).toEqual([401]);
    expect(refusals).toHaveLength(1);
    expect(states).toEqual(['connecting', 'reconnecting']);
    // Every delay asks the token function again; the same token opens nothing and reports nothing again.
    const askedBefore = asked;
    await vi.advanceTimersByTimeAsync(500 + 1000 + 2000 + 4000);
    expect(asked).toBe(askedBefore + 4);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(restRequests).toHaveLength(1);
    expect(authErrors).toHaveLength(1);
    current = 'jwt-new';
    await vi.advanceTimersByTimeAsync(8000);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(latest().query).toEqual({ token: 'jwt-new', since: '6' });
    latest().open();
    expect(states.at(-1)).toBe('open');
  });

  it('after closing token_expired, the same token from the token function is refused without connecting', async () => {
    const authErrors: RoadmapApiError[] = [];
    let current = 'jwt-1';
    setup({ token: () => current, onAuthError: (error) => authErrors.push(error) }).subscribeEvents({
      onEvent: () => {},
    });
    await settle();
    latest().open();
    latest().receive(control('closing', 4, { task_id: null, reason: 'token_expired' }));
    latest().drop(1008);
    await vi.advanceTimersByTimeAsync(500);
    expect(authErrors.map((error) => [error.status, error.code])).toEqual([[401, 'token_expired']]);
    expect(FakeWebSocket.instances).toHaveLength(1);
    current = 'jwt-2';
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(latest().query).toEqual({ token: 'jwt-2', since: '4' });
    expect(restRequests).toEqual([]);
  });

  it('checks a task stream against its task status, and stops on 403 too', async () => {
    const authErrors: RoadmapApiError[] = [];
    const states: ConnectionState[] = [];
    setup({ onAuthError: (error) => authErrors.push(error) }).subscribeTask('t-1', {
      onEvent: () => {},
      onStateChange: (state) => states.push(state),
    });
    await settle();
    restStatus = 403;
    latest().drop();
    await settle();
    expect(restRequests).toEqual(['https://app.example.com/api/v1/roadmaps/tasks/t-1']);
    expect(authErrors.map((error) => error.status)).toEqual([403]);
    expect(states).toEqual(['connecting', 'reconnecting', 'closed']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});

describe('a task that is gone (404)', () => {
  it('stops reconnecting and tells onRefused, not onAuthError, once the task answers 404', async () => {
    const authErrors: RoadmapApiError[] = [];
    const refusals: RoadmapApiError[] = [];
    const states: ConnectionState[] = [];
    setup({ onAuthError: (error) => authErrors.push(error) }).subscribeTask('t-1', {
      onEvent: () => {},
      onStateChange: (state) => states.push(state),
      onRefused: (error) => refusals.push(error),
    });
    await settle();
    restStatus = 404;
    latest().drop();
    await settle();
    expect(refusals.map((error) => error.status)).toEqual([404]);
    expect(authErrors).toEqual([]);
    expect(states).toEqual(['connecting', 'reconnecting', 'closed']);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});

describe('subscribeEvents', () => {
  it('uses the user-wide endpoint and reconnects after every close, task endings included', async () => {
    const tasks: string[] = [];
    setup({ baseUrl: 'http://localhost:3000/' }).subscribeEvents({
      onEvent: (received) => tasks.push(`${received.task_id}:${received.seq}`),
    });
    await settle();
    expect(latest().url).toBe('ws://localhost:3000/api/v1/ws?token=jwt-1');
    latest().open();
    latest().receive(control('connected', 0, { task_id: null }));
    latest().receive(completed(3));
    latest().receive({ ...event(4), task_id: 't-2' });
    latest().receive(control('closing', 4, { task_id: null, reason: 'server_shutdown' }));
    latest().drop(1001);
    await vi.advanceTimersByTimeAsync(500);
    expect(latest().url).toBe('ws://localhost:3000/api/v1/ws?token=jwt-1&since=4');
    expect(tasks).toEqual(['t-1:3', 't-2:4']);
  });

  it('connects to the page origin when baseUrl is empty', async () => {
    vi.stubGlobal('location', { protocol: 'https:', host: 'app.example.com' });
    try {
      setup({ baseUrl: '', token: undefined }).subscribeEvents({ since: 7, onEvent: () => {} });
      await settle();
      expect(latest().url).toBe('wss://app.example.com/api/v1/ws?since=7');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
