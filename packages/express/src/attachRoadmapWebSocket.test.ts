import { createDemoModel } from '@roadmap/core';
import { createManualClock } from '@roadmap/core/testing';
import { createJwtAuthenticator, signJwt } from '@roadmap/http';
import { afterEach, describe, expect, it } from 'vitest';
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

describe('attachRoadmapWebSocket: open connections per user', () => {
  /** Resolves once the server counts `count` connections of alice. */
  async function aliceHolds(current: SocketWorld, count: number): Promise<void> {
    const deadline = Date.now() + 5000;
    while (current.sockets.clients('alice') !== count) {
      if (Date.now() > deadline) throw new Error(`expected ${count}, got ${current.sockets.clients('alice')}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('refuses a 21st open socket of one user with 429 (both endpoints together), not other users', async () => {
    const current = await setup();
    const taskId = await current.createTask('alice');
    const open: TestClient[] = [];
    for (let index = 0; index < 20; index += 1) {
      open.push(
        connect(current, index % 2 === 0 ? '/api/v1/ws?token=token-alice' : `/api/v1/ws/${taskId}?token=token-alice`),
      );
    }
    await Promise.all(open.map((client) => client.waitForType('connected')));
    const refused = await refusedResponse(current.url('/api/v1/ws?token=token-alice'));
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ detail: expect.any(String), code: 'too_many_connections' });
    expect((await refusedResponse(current.url(`/api/v1/ws/${taskId}?token=token-alice`))).status).toBe(429);
    const bob = connect(current, '/api/v1/ws?token=token-bob');
    await bob.waitForType('connected');
    expect(current.sockets.clients()).toBe(21);
    expect(current.sockets.clients('alice')).toBe(20);
  });

  it('gives the slot back when a socket closes, and when an admitted upgrade is refused later on', async () => {
    const current = await setup({ sockets: { maxConnectionsPerUser: 2 } });
    const taskId = await current.createTask('alice');
    const first = connect(current, '/api/v1/ws?token=token-alice');
    await first.waitForType('connected');
    // Refused after the slot was taken (a bad since, an unknown task): the slot comes back.
    expect(await refusedStatus(current.url(`/api/v1/ws/${taskId}?token=token-alice&since=x`))).toBe(400);
    expect(await refusedStatus(current.url('/api/v1/ws/00000000-0000-4000-8000-000000000000?token=token-alice'))).toBe(
      404,
    );
    await aliceHolds(current, 1);
    const second = connect(current, `/api/v1/ws/${taskId}?token=token-alice`);
    await Promise.all([first.waitForType('connected'), second.waitForType('current_status')]);
    expect(await refusedStatus(current.url('/api/v1/ws?token=token-alice'))).toBe(429);

    first.socket.close();
    await first.closed;
    await aliceHolds(current, 1);
    const third = connect(current, '/api/v1/ws?token=token-alice');
    await third.waitForType('connected');
    second.socket.terminate();
    await aliceHolds(current, 1);
    const fourth = connect(current, '/api/v1/ws?token=token-alice');
    await fourth.waitForType('connected');
    expect(await refusedStatus(current.url('/api/v1/ws?token=token-alice'))).toBe(429);
  });
});

describe('attachRoadmapWebSocket: task endpoint', () => {
  it('sends connected and current_status on connect', async () => {
    const current = await setup();
    const taskId = await current.createTask('alice');
    const head = (await current.engine.listEvents({})).at(-1)?.seq;
    const client = connect(current, `/api/v1/ws/${taskId}?token=token-alice`);
    const status = await client.waitForType('current_status');
    expect(client.messages[0]).toMatchObject({ type: 'connected', task_id: taskId, seq: head });
    expect(status).toMatchObject({
      type: 'current_status',
      task_id: taskId,
      seq: head,
      status: 'pending',
      current_step: 'queued',
      roadmap_id: expect.stringMatching(/^learn-rust-/),
      progress: expect.objectContaining({ total: 0 }),
    });
    expect(typeof status.timestamp).toBe('string');
    expect(current.sockets.clients()).toBe(1);
  });

  it('streams a real run in order until completed, then closing and close 1000', async () => {
    const current = await setup({ engine: { worker: true, model: createDemoModel({ latencyMs: 0 }) } });
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
    const worker = current.otherEngine({ worker: true, model: createDemoModel({ latencyMs: 0 }) });
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

describe('attachRoadmapWebSocket: the head seq of a connection without since', () => {
  it.each([
    ['task', true],
    ['user', false],
  ])(
    '%s endpoint: connected, current_status and pong carry the head, and reconnecting from it replays nothing',
    async (_name, taskEndpoint) => {
      const current = await setup();
      const taskId = await current.createTask('alice');
      const otherTask = await current.createTask('alice');
      for (let index = 0; index < 5; index += 1) {
        await current.append(taskId, 'alice');
        await current.append(otherTask, 'alice');
      }
      await current.append(taskId, 'bob-task-is-not-here', { user_id: 'bob' } as never);
      const head = (await current.engine.listEvents({})).at(-1)?.seq as number;
      const path = taskEndpoint ? `/api/v1/ws/${taskId}` : '/api/v1/ws';
      const first = connect(current, `${path}?token=token-alice`);
      await first.waitForType('connected');
      if (taskEndpoint) expect(await first.waitForType('current_status')).toMatchObject({ seq: head });
      first.send({ type: 'ping' });
      expect(await first.waitForType('pong')).toMatchObject({ seq: head });
      const connected = first.messages[0] as { seq: number };
      expect(connected).toMatchObject({ type: 'connected', seq: head });
      first.socket.terminate();
      await first.closed;

      // What a client does next: reconnect from the seq it was given. Nothing it already knows comes again.
      const again = connect(current, `${path}?token=token-alice&since=${connected.seq}`);
      await again.waitForType('connected');
      const next = await current.append(taskId, 'alice', { message: 'after the reconnect' } as never);
      await again.waitFor(() => again.events().length >= 1);
      again.send({ type: 'ping' });
      await again.waitForType('pong');
      expect(again.events().map((event) => event.seq)).toEqual([next]);
    },
  );
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
    const head = (await current.engine.listEvents({})).at(-1)?.seq;
    expect(ahead.messages[1]).toMatchObject({ reason: 'since_ahead_of_log', seq: head });

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

describe('attachRoadmapWebSocket: event retention', () => {
  it('answers a since older than the pruned log with resync and a fresh current_status, replaying nothing', async () => {
    const day = 86_400_000;
    const clock = createManualClock();
    const current = await setup({ engine: { clock, eventRetentionMs: 7 * day } });
    const old = await current.createTask('alice');
    const seenBefore = (await current.engine.listEvents({})).at(-1)?.seq as number;
    await current.engine.cancel(old, { userId: 'alice', reason: 'old news' });
    clock.set(clock.now() + 8 * day);
    expect(await current.engine.pruneEvents()).toBe(2);
    const taskId = await current.createTask('alice');
    const recent = (await current.engine.listEvents({ taskId })).map((event) => event.seq);

    // The client saw the old task's first event: its cancel was pruned since, so a replay would miss it.
    const user = connect(current, `/api/v1/ws?token=token-alice&since=${seenBefore}`);
    await user.waitForType('current_status');
    const head = recent.at(-1);
    expect(user.messages.slice(0, 3)).toMatchObject([
      { type: 'connected', seq: head },
      { type: 'resync', reason: 'since_before_retained_log', seq: head },
      { type: 'current_status', task_id: taskId, status: 'pending', seq: head },
    ]);
    const task = connect(current, `/api/v1/ws/${taskId}?token=token-alice&since=${seenBefore}`);
    await task.waitForType('current_status');
    expect(task.messages.map((message) => message.type)).toEqual(['connected', 'resync', 'current_status']);

    // A since within the retained log replays as before.
    const fine = connect(current, `/api/v1/ws?token=token-alice&since=${(recent[0] as number) - 1}`);
    await fine.waitFor(() => fine.events().length === recent.length);
    expect(fine.messages.map((message) => message.type)).toEqual(['connected', ...recent.map(() => 'progress')]);
    user.send({ type: 'ping' });
    await user.waitForType('pong');
    expect(user.events()).toEqual([]);
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

  it('closes an open connection when its token expires: closing token_expired, close 1008', async () => {
    // The authenticator says when the credential expires (the JWT authenticator reads `exp`): 150 ms from now.
    const current = await setup({
      sockets: { authenticate: async () => ({ userId: 'alice', expiresAt: Date.now() + 150 }) },
    });
    const taskId = await current.createTask('alice');
    const client = connect(current, `/api/v1/ws/${taskId}?token=any`);
    await client.waitForType('current_status');
    expect(await client.closed).toBe(1008);
    expect(client.messages.at(-1)).toMatchObject({ type: 'closing', reason: 'token_expired' });
    expect(current.sockets.clients()).toBe(0);
  });
});
