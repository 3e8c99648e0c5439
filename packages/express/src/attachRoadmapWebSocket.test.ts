import { createDemoModel } from '@roadmap/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createJwtAuthenticator, signJwt } from './authenticate.js';
import {
  createSocketWorld,
  refusedResponse,
  refusedStatus,
  type SocketWorld,
  TestClient,
} from './socketTestSupport.js';

let world: SocketWorld | undefined;
const clients: TestClient[] = [];

async function setup(options: Parameters<typeof createSocketWorld>[0] = {}): Promise<SocketWorld> {
  world = await createSocketWorld(options);
  return world;
}

function connect(current: SocketWorld, path: string): TestClient {
  const client = new TestClient(current.url(path));
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await world?.close();
  world = undefined;
});

describe('attachRoadmapWebSocket: admission', () => {
  it('refuses before the upgrade: 401 without or with a bad token, 403 foreign task, 404 unknown, 400 bad since', async () => {
    const current = await setup();
    const taskId = await current.createTask('alice');
    expect(await refusedStatus(current.url(`/api/v1/ws/${taskId}`))).toBe(401);
    expect(await refusedStatus(current.url(`/api/v1/ws/${taskId}?token=nope`))).toBe(401);
    expect(await refusedStatus(current.url('/api/v1/ws?token=nope'))).toBe(401);
    expect(await refusedStatus(current.url(`/api/v1/ws/${taskId}?token=token-bob`))).toBe(403);
    expect(await refusedStatus(current.url('/api/v1/ws/00000000-0000-4000-8000-000000000000?token=token-alice'))).toBe(
      404,
    );
    expect(await refusedStatus(current.url(`/api/v1/ws/${taskId}?token=token-alice&since=-1`))).toBe(400);
    expect(await refusedStatus(current.url('/api/v1/ws?token=token-alice&since=abc'))).toBe(400);
    expect(current.sockets.clients()).toBe(0);
  });
});

describe('attachRoadmapWebSocket: upgrade rate limit', () => {
  it('refuses a user over the limit with 429 and Retry-After before the upgrade; others and a new window pass', async () => {
    let clock = 1_000_000;
    const current = await setup({ sockets: { upgradeRateLimit: { limit: 2, windowMs: 60_000 }, now: () => clock } });
    const taskId = await current.createTask('alice');
    const first = connect(current, '/api/v1/ws?token=token-alice');
    const second = connect(current, `/api/v1/ws/${taskId}?token=token-alice`);
    await Promise.all([first.waitForType('connected'), second.waitForType('current_status')]);

    const limited = await refusedResponse(current.url(`/api/v1/ws/${taskId}?token=token-alice`));
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.body).toEqual({ detail: expect.any(String), code: 'rate_limited' });
    clock += 45_000;
    expect((await refusedResponse(current.url('/api/v1/ws?token=token-alice'))).headers['retry-after']).toBe('15');
    expect(current.sockets.clients()).toBe(2);

    const bob = connect(current, '/api/v1/ws?token=token-bob');
    await bob.waitForType('connected');
    clock += 15_000;
    const again = connect(current, '/api/v1/ws?token=token-alice');
    await again.waitForType('connected');
    expect(current.sockets.clients()).toBe(4);
  });

  it('limits upgrades by default (60 a minute per user)', async () => {
    const current = await setup();
    const statuses: number[] = [];
    for (let index = 0; index < 61; index += 1) {
      statuses.push(await refusedStatus(current.url('/api/v1/ws?token=token-alice&since=bad')));
    }
    expect(statuses.slice(0, 60).every((status) => status === 400)).toBe(true);
    expect(statuses[60]).toBe(429);
  });
});

describe('attachRoadmapWebSocket: task endpoint', () => {
  it('sends connected and current_status on connect', async () => {
    const current = await setup();
    const taskId = await current.createTask('alice');
    const client = connect(current, `/api/v1/ws/${taskId}?token=token-alice`);
    const status = await client.waitForType('current_status');
    expect(client.messages[0]).toMatchObject({ type: 'connected', task_id: taskId, seq: 0 });
    expect(status).toMatchObject({
      type: 'current_status',
      task_id: taskId,
      seq: 0,
      status: 'pending',
      current_step: 'queued',
      roadmap_id: expect.stringMatching(/^learn-rust-/),
      progress: expect.objectContaining({ total: 0 }),
    });
    expect(typeof status.timestamp).toBe('string');
    expect(current.sockets.clients()).toBe(1);
  });

  it('streams a real run in order until completed, then closing and close 1000', async () => {
    const current = await setup({ engine: { worker: true, model: createDemoModel() } });
    const taskId = await current.createTask('alice');
    const client = connect(current, `/api/v1/ws/${taskId}?token=token-alice`);
    await client.waitForType('current_status');
    await current.engine.start();
    expect(await client.closed).toBe(1000);
    const stored = await current.engine.listEvents({ taskId });
    const live = client.events().map((event) => event.seq);
    // Events appended before the socket listened are covered by current_status; everything after arrives.
    expect(live).toEqual(stored.map((event) => event.seq).filter((seq) => seq >= (live[0] ?? 0)));
    expect(client.events().at(-1)).toMatchObject({ type: 'completed', task_id: taskId, status: 'completed' });
    expect(client.events().at(-1)).toEqual(JSON.parse(JSON.stringify(stored.at(-1))));
    expect(client.messages.at(-1)).toMatchObject({
      type: 'closing',
      reason: 'task_completed',
      seq: stored.at(-1)?.seq,
    });
  });

  it('closes at once (after current_status) when the task is already terminal', async () => {
    const current = await setup();
    const taskId = await current.createTask('alice');
    await current.engine.cancel(taskId, { userId: 'alice', reason: 'changed my mind' });
    const client = connect(current, `/api/v1/ws/${taskId}?token=token-alice&since=0`);
    expect(await client.closed).toBe(1000);
    const types = client.messages.map((message) => message.type);
    expect(types[0]).toBe('connected');
    expect(types[1]).toBe('current_status');
    expect(types.at(-1)).toBe('closing');
    expect(client.events().at(-1)).toMatchObject({ type: 'cancelled', reason: 'changed my mind' });
  });

  it.each([1, 42, 2024])(
    'replays with since across random disconnects while 600 events are written: no gap, no duplicate (seed %i)',
    async (seed) => {
      const current = await setup({ sockets: { pageSize: 37, pollIntervalMs: 1 }, listEventsLatencyMs: 5 });
      const taskId = await current.createTask('alice');
      const otherTask = await current.createTask('alice');
      let random = seed;
      const next = () => {
        random = (random * 1_103_515_245 + 12_345) % 2_147_483_648;
        return random / 2_147_483_648;
      };
      const writer = (async () => {
        for (let index = 0; index < 600; index += 1) {
          if (index % 3 === 0) await current.append(otherTask, 'alice');
          // Straight to storage: only polling finds these (the engine's wake-up path is covered by the real runs).
          await current.append(taskId, 'alice', { message: `event ${index}` } as never);
          if (next() < 0.2) await new Promise((resolve) => setTimeout(resolve, 1));
        }
        await current.append(taskId, 'alice', {
          type: 'completed',
          roadmap_id: 'r',
          status: 'completed',
          tutorials_count: 1,
          failed_count: 0,
        } as never);
      })();
      const received: number[] = [];
      let since = 0;
      let connections = 0;
      for (;;) {
        connections += 1;
        const client = connect(current, `/api/v1/ws/${taskId}?token=token-alice&since=${since}`);
        const stopAfter = 1 + Math.floor(next() * 80);
        await client.waitFor(
          (messages) =>
            client.closeCode !== undefined ||
            messages.filter((message) => message.type !== 'connected' && message.type !== 'current_status').length >=
              stopAfter,
        );
        const connected = client.messages[0];
        expect(connected).toMatchObject({ type: 'connected', seq: since });
        if (client.closeCode === 1000) {
          received.push(...client.events().map((event) => event.seq));
          break;
        }
        client.socket.terminate();
        await client.closed;
        const events = client.events();
        received.push(...events.map((event) => event.seq));
        since = events.at(-1)?.seq ?? since;
        // Cut right after the terminal event: a real task would now be terminal and close at once; these fake
        // events leave the stored task pending, so a reconnect would wait forever.
        if (events.at(-1)?.type === 'completed') break;
      }
      await writer;
      const stored = (await current.engine.listEvents({ taskId, limit: 10_000 })).map((event) => event.seq);
      expect(stored.length).toBe(602); // queued + 600 + completed
      expect(received).toEqual(stored);
      expect(connections).toBeGreaterThan(5);
    },
  );

  it('answers ping with pong and get_status with current_status, ignores junk, closes 1009 on a huge message', async () => {
    const current = await setup();
    const taskId = await current.createTask('alice');
    const seq = await current.append(taskId, 'alice');
    const client = connect(current, `/api/v1/ws/${taskId}?token=token-alice&since=0`);
    await client.waitFor((messages) => messages.some((message) => message.seq === seq));
    client.send('not json');
    client.send({ type: 'dance' });
    client.send({ type: 'ping' });
    expect(await client.waitForType('pong')).toMatchObject({ type: 'pong', task_id: taskId, seq });
    client.send({ type: 'get_status' });
    expect(await client.waitForType('current_status', 2)).toMatchObject({ status: 'pending', seq });
    client.send({ type: 'ping', padding: 'x'.repeat(10_000) });
    expect(await client.closed).toBe(1009);
  });

  it('delivers events written by another engine on the same storage (another process) by polling', async () => {
    const current = await setup();
    const taskId = await current.createTask('alice');
    const before = (await current.engine.listEvents({ taskId })).at(-1)?.seq ?? 0;
    const client = connect(current, `/api/v1/ws/${taskId}?token=token-alice`);
    await client.waitForType('current_status');
    const worker = current.otherEngine({ worker: true, model: createDemoModel() });
    await worker.start();
    expect(await client.closed).toBe(1000);
    const stored = await current.engine.listEvents({ taskId });
    expect(client.events().map((event) => event.seq)).toEqual(
      stored.map((event) => event.seq).filter((seq) => seq > before),
    );
    expect(client.events().length).toBeGreaterThan(20);
    expect(client.events().at(-1)?.type).toBe('completed');
  });
});

describe('attachRoadmapWebSocket: user endpoint', () => {
  it("gets every event of the user's tasks, none of another user's, and replays with since", async () => {
    const current = await setup();
    const first = await current.createTask('alice');
    const second = await current.createTask('alice');
    const foreign = await current.createTask('bob');
    const before = await current.append(first, 'alice');
    const client = connect(current, `/api/v1/ws?token=token-alice&since=${before}`);
    for (let index = 0; index < 30; index += 1) {
      await current.append([first, second, foreign][index % 3] as string, index % 3 === 2 ? 'bob' : 'alice');
    }
    const expected = (await current.engine.listEvents({ userId: 'alice', after: before })).map((event) => event.seq);
    await client.waitFor(() => client.events().length >= expected.length);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.messages[0]).toMatchObject({ type: 'connected', task_id: null, seq: before });
    expect(client.events().map((event) => event.seq)).toEqual(expected);
    expect(client.events().every((event) => event.user_id === 'alice')).toBe(true);
    expect(client.closeCode).toBeUndefined();

    const replay = connect(current, '/api/v1/ws?token=token-alice&since=0');
    const all = (await current.engine.listEvents({ userId: 'alice' })).map((event) => event.seq);
    await replay.waitFor(() => replay.events().length >= all.length);
    expect(replay.events().map((event) => event.seq)).toEqual(all);
  });

  it('sends resync and fresh status when since is ahead of the log or older than the retained log', async () => {
    let oldest: number | null = null;
    const current = await setup({ sockets: { oldestRetainedSeq: () => oldest } });
    const taskId = await current.createTask('alice');
    await current.append(taskId, 'alice');
    const ahead = connect(current, `/api/v1/ws/${taskId}?token=token-alice&since=999`);
    await ahead.waitForType('current_status');
    expect(ahead.messages.map((message) => message.type)).toEqual(['connected', 'resync', 'current_status']);
    expect(ahead.messages[1]).toMatchObject({ reason: 'since_ahead_of_log', seq: 0 });

    const latest = await current.append(taskId, 'alice');
    oldest = latest;
    const pruned = connect(current, '/api/v1/ws?token=token-alice&since=0');
    await pruned.waitForType('current_status');
    expect(pruned.messages[1]).toMatchObject({ type: 'resync', reason: 'since_before_retained_log' });
    expect(pruned.messages[2]).toMatchObject({ type: 'current_status', task_id: taskId, status: 'pending' });
    expect(pruned.events()).toEqual([]);
    const fine = connect(current, `/api/v1/ws?token=token-alice&since=${latest - 1}`);
    await fine.waitFor(() => fine.events().length === 1);
    expect(fine.messages.map((message) => message.type)).toEqual(['connected', 'progress']);
  });
});

describe('attachRoadmapWebSocket: resources', () => {
  it('closes a client that stops reading with 1013 once its buffer passes the limit', async () => {
    const current = await setup({ sockets: { maxBufferedBytes: 256 * 1024 } });
    const taskId = await current.createTask('alice');
    const client = connect(current, `/api/v1/ws/${taskId}?token=token-alice`);
    await client.waitForType('current_status');
    const rawSocket = (client.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    rawSocket.pause();
    const total = 1500;
    const big = 'x'.repeat(16 * 1024);
    for (let index = 0; index < total && current.sockets.clients() > 0; index += 1) {
      await current.append(taskId, 'alice', { message: big } as never);
      if (index % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 15));
    }
    expect(current.sockets.clients()).toBe(0);
    rawSocket.resume();
    expect(await client.closed).toBe(1013);
    // The server stopped sending: what reached the client is far less than what was written.
    expect(client.events().length).toBeLessThan(total);
    const seqs = client.events().map((event) => event.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('terminates a client that stops answering keep-alive pings', async () => {
    const current = await setup({ sockets: { pingIntervalMs: 50 } });
    const taskId = await current.createTask('alice');
    const client = connect(current, `/api/v1/ws/${taskId}?token=token-alice`);
    await client.waitForType('current_status');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(current.sockets.clients()).toBe(1);
    (client.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const deadline = Date.now() + 5000;
    while (current.sockets.clients() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(current.sockets.clients()).toBe(0);
  });

  it('close() says closing server_shutdown, closes every client with 1001 and stops accepting', async () => {
    const current = await setup();
    const taskId = await current.createTask('alice');
    const one = connect(current, `/api/v1/ws/${taskId}?token=token-alice`);
    const two = connect(current, '/api/v1/ws?token=token-alice');
    await one.waitForType('current_status');
    await two.waitForType('connected');
    expect(current.sockets.clients()).toBe(2);
    await current.sockets.close();
    expect(current.sockets.clients()).toBe(0);
    expect(await one.closed).toBe(1001);
    expect(await two.closed).toBe(1001);
    expect(one.messages.at(-1)).toMatchObject({ type: 'closing', reason: 'server_shutdown' });
    expect(current.server.listenerCount('upgrade')).toBe(0);
  });
});

describe('attachRoadmapWebSocket: with the JWT authenticator', () => {
  it('accepts a signed token in the query and refuses an expired one', async () => {
    const secret = 'test-secret-test-secret-test-secret';
    const current = await setup({ sockets: { authenticate: createJwtAuthenticator({ secret }) } });
    const taskId = await current.createTask('alice');
    const token = signJwt({ sub: 'alice', expiresInSeconds: 60 }, secret);
    const client = connect(current, `/api/v1/ws/${taskId}?token=${token}`);
    expect(await client.waitForType('current_status')).toMatchObject({ task_id: taskId });
    const expired = signJwt({ sub: 'alice', expiresInSeconds: -60 }, secret);
    expect(await refusedStatus(current.url(`/api/v1/ws/${taskId}?token=${expired}`))).toBe(401);
    const bob = signJwt({ sub: 'bob', expiresInSeconds: 60 }, secret);
    expect(await refusedStatus(current.url(`/api/v1/ws/${taskId}?token=${bob}`))).toBe(403);
  });
});
