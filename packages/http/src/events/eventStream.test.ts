import { createDemoModel, RoadmapError } from '@roadmap/core';
import { afterEach, describe, expect, it } from 'vitest';
import { eventHubOf } from './eventHub.js';
import { openEventStream } from './eventStream.js';
import { createStreamWorld, StreamClient, type StreamWorld } from './eventStreamTestSupport.js';
import { userConnectionsOf } from './userConnections.js';

let world: StreamWorld | undefined;
const clients: StreamClient[] = [];

async function setup(options: Parameters<typeof createStreamWorld>[0] = {}): Promise<StreamWorld> {
  world = await createStreamWorld(options);
  return world;
}

function connect(current: StreamWorld, path: string, headers: Record<string, string> = {}): StreamClient {
  const client = new StreamClient(current.url(path), headers);
  clients.push(client);
  return client;
}

/** Resolves once `condition` holds: what the server releases after a client left has no event a test can await. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Nothing of a stream is left on the server: no open stream, no hub listener, no connection slot. */
async function nothingHeld(current: StreamWorld, ...users: string[]): Promise<void> {
  await until(() => current.openStreams() === 0, 'the streams to end');
  await until(() => eventHubOf(current.engine).size === 0, 'the hub listeners to go');
  for (const user of users) expect(userConnectionsOf(current.engine).count(user)).toBe(0);
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await world?.close();
  world = undefined;
});

describe('openEventStream: frames', () => {
  it('sends id, event and data (the WebSocket JSON) per frame; control messages carry the head as id and seq', async () => {
    const current = await setup();
    const taskId = await current.createTask('alice');
    const head = (await current.engine.listEvents({})).at(-1)?.seq as number;
    const client = connect(current, `/tasks/${taskId}/events?token=token-alice`);
    const status = await client.waitForType('current_status');
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.headers['cache-control']).toBe('no-cache, no-transform');
    expect(client.frames.slice(0, 2).map((frame) => [frame.id, frame.event])).toEqual([
      [String(head), 'connected'],
      [String(head), 'current_status'],
    ]);
    expect(client.messages()[0]).toEqual({
      type: 'connected',
      task_id: taskId,
      seq: head,
      timestamp: expect.any(String),
    });
    expect(status).toMatchObject({ task_id: taskId, seq: head, status: 'pending', current_step: 'queued' });

    const seq = await current.append(taskId, 'alice', { message: 'line one\nline two' } as never);
    await client.waitFor(() => client.events().length === 1);
    const stored = (await current.engine.listEvents({ taskId })).at(-1);
    // One data line: JSON escapes the line break of the message.
    expect(client.raw.endsWith(`id: ${seq}\nevent: progress\ndata: ${JSON.stringify(stored)}\n\n`)).toBe(true);
    expect(client.events()[0]).toEqual(JSON.parse(JSON.stringify(stored)));
  });

  it('streams a real run until completed, then closing task_completed with the last seq, and ends', async () => {
    const current = await setup({ engine: { worker: true, model: createDemoModel({ latencyMs: 0 }) } });
    const taskId = await current.createTask('alice');
    const client = connect(current, `/tasks/${taskId}/events?token=token-alice`);
    await client.waitForType('current_status');
    await current.engine.start();
    await client.ended;
    const stored = await current.engine.listEvents({ taskId });
    const live = client.events().map((event) => event.seq);
    expect(live).toEqual(stored.map((event) => event.seq).filter((seq) => seq >= (live[0] ?? 0)));
    expect(client.events().at(-1)).toEqual(JSON.parse(JSON.stringify(stored.at(-1))));
    const last = client.frames.at(-1);
    expect(last).toMatchObject({ id: String(stored.at(-1)?.seq), event: 'closing' });
    expect(last?.data).toMatchObject({ reason: 'task_completed', seq: stored.at(-1)?.seq });
    await nothingHeld(current, 'alice');
  });

  it('sends a keep-alive comment every keepAliveMs', async () => {
    const current = await setup({ stream: { keepAliveMs: 20 } });
    const client = connect(current, '/events?token=token-alice');
    await client.waitFor(() => client.frames.filter((frame) => frame.comment === 'keep-alive').length >= 3);
    expect(client.raw).toContain('\n\n: keep-alive\n\n');
    expect(client.messages().map((message) => message.type)).toEqual(['connected']);
  });
});

describe('openEventStream: admission', () => {
  it('refuses before any byte: unknown task 404, foreign task 403, bad since 400; nothing is held after', async () => {
    const current = await setup();
    const taskId = await current.createTask('alice');
    const unknown = connect(current, '/tasks/00000000-0000-4000-8000-000000000000/events?token=token-alice');
    const foreign = connect(current, `/tasks/${taskId}/events?token=token-bob`);
    const badSince = connect(current, '/events?token=token-alice&since=-1');
    const badLastEventId = connect(current, '/events?token=token-alice', { 'Last-Event-ID': 'abc' });
    await Promise.all([unknown.ended, foreign.ended, badSince.ended, badLastEventId.ended]);
    expect([unknown.status, foreign.status, badSince.status, badLastEventId.status]).toEqual([404, 403, 400, 400]);
    expect(unknown.body).toEqual({ detail: expect.any(String), code: 'not_found' });
    expect(foreign.body).toEqual({ detail: 'This task belongs to another user.', code: 'forbidden' });
    expect(badSince.body).toMatchObject({ code: 'invalid_input' });
    await nothingHeld(current, 'alice', 'bob');
  });

  it('rejects with a RoadmapError, and with the abort reason when the signal is already aborted', async () => {
    const current = await setup();
    const taskId = await current.createTask('alice');
    const signal = new AbortController().signal;
    const refused = await openEventStream({ engine: current.engine, userId: 'bob', taskId, signal }).catch(
      (error: unknown) => error,
    );
    expect(RoadmapError.isInstance(refused) && refused.code).toBe('forbidden');
    const aborted = new AbortController();
    aborted.abort(new Error('gone'));
    await expect(openEventStream({ engine: current.engine, userId: 'alice', signal: aborted.signal })).rejects.toThrow(
      'gone',
    );
    expect(userConnectionsOf(current.engine).count('alice')).toBe(0);
  });

  it('caps open streams per user (429 rate_limited), not other users; a slot comes back when a stream ends', async () => {
    const current = await setup({ stream: { maxConnectionsPerUser: 2 } });
    const taskId = await current.createTask('alice');
    const first = connect(current, '/events?token=token-alice');
    const second = connect(current, `/tasks/${taskId}/events?token=token-alice`);
    await Promise.all([first.waitForType('connected'), second.waitForType('current_status')]);
    const third = connect(current, '/events?token=token-alice');
    await third.ended;
    expect(third.status).toBe(429);
    expect(third.body).toEqual({ detail: 'Too many open connections: at most 2 per user.', code: 'rate_limited' });
    expect(third.headers['retry-after']).toBe('1');
    const bob = connect(current, '/events?token=token-bob');
    await bob.waitForType('connected');
    expect(userConnectionsOf(current.engine).count('alice')).toBe(2);

    first.disconnect();
    await until(() => userConnectionsOf(current.engine).count('alice') === 1, 'the slot to come back');
    const again = connect(current, '/events?token=token-alice');
    await again.waitForType('connected');
  });
});

describe('openEventStream: replay', () => {
  it('replays after since and after Last-Event-ID, on both streams, then goes on live', async () => {
    const current = await setup();
    const first = await current.createTask('alice');
    const second = await current.createTask('alice');
    const foreign = await current.createTask('bob');
    const before = await current.append(first, 'alice');
    for (let index = 0; index < 12; index += 1) {
      await current.append([first, second, foreign][index % 3] as string, index % 3 === 2 ? 'bob' : 'alice');
    }
    const userEvents = (await current.engine.listEvents({ userId: 'alice', after: before })).map((event) => event.seq);
    const taskEvents = (await current.engine.listEvents({ taskId: first, after: before })).map((event) => event.seq);

    const bySince = connect(current, `/events?token=token-alice&since=${before}`);
    const byLastEventId = connect(current, '/events?token=token-alice', { 'Last-Event-ID': String(before) });
    const task = connect(current, `/tasks/${first}/events?token=token-alice`, { 'Last-Event-ID': String(before) });
    await bySince.waitFor(() => bySince.events().length === userEvents.length);
    await byLastEventId.waitFor(() => byLastEventId.events().length === userEvents.length);
    await task.waitFor(() => task.events().length === taskEvents.length);
    expect(bySince.events().map((event) => event.seq)).toEqual(userEvents);
    expect(byLastEventId.events().map((event) => event.seq)).toEqual(userEvents);
    expect(task.events().map((event) => event.seq)).toEqual(taskEvents);
    expect(bySince.messages()[0]).toMatchObject({ type: 'connected', task_id: null, seq: before });
    expect(task.messages().slice(0, 2)).toMatchObject([
      { type: 'connected', seq: before },
      { type: 'current_status', seq: before },
    ]);

    const live = await current.append(second, 'alice');
    await bySince.waitFor(() => bySince.events().length === userEvents.length + 1);
    expect(bySince.events().at(-1)?.seq).toBe(live);
    expect(bySince.frames.at(-1)?.id).toBe(String(live));
  });

  it('a stream that ended before its first event resumes from the head it was given: no gap, nothing again', async () => {
    const current = await setup();
    const taskId = await current.createTask('alice');
    for (let index = 0; index < 5; index += 1) await current.append(taskId, 'alice');
    const first = connect(current, '/events?token=token-alice');
    await first.waitForType('connected');
    first.disconnect();
    await first.ended;
    // Written while the client was away: a browser resumes with the id of `connected`.
    const missed = await current.append(taskId, 'alice');
    const lastEventId = first.lastEventId() as string;
    const again = connect(current, '/events?token=token-alice', { 'Last-Event-ID': lastEventId });
    await again.waitFor(() => again.events().length === 1);
    expect(again.events().map((event) => event.seq)).toEqual([missed]);
  });

  it.each([
    ['task', 1],
    ['user', 42],
    ['task', 2024],
  ] as const)(
    '%s stream: 500 events while the client drops at random points and resumes with Last-Event-ID: no gap, no duplicate (seed %i)',
    async (kind, seed) => {
      const current = await setup({ stream: { pageSize: 37 } });
      const taskId = await current.createTask('alice');
      const otherTask = await current.createTask('alice');
      const start = (await current.engine.listEvents({})).at(-1)?.seq as number;
      let random = seed;
      const next = () => {
        random = (random * 1_103_515_245 + 12_345) % 2_147_483_648;
        return random / 2_147_483_648;
      };
      const writer = (async () => {
        for (let index = 0; index < 500; index += 1) {
          if (index % 3 === 0) await current.append(otherTask, 'alice');
          if (index % 7 === 0) await current.append(otherTask, 'bob');
          await current.append(taskId, 'alice', { message: `event ${index}` } as never);
          if (next() < 0.2) await new Promise((resolve) => setTimeout(resolve, 1));
        }
        return current.append(taskId, 'alice', {
          type: 'completed',
          roadmap_id: 'r',
          status: 'completed',
          tutorials_count: 1,
          failed_count: 0,
        } as never);
      })();
      // The browser keeps its first URL (with since) and adds Last-Event-ID on reconnecting: the header wins.
      const path = kind === 'task' ? `/tasks/${taskId}/events?token=token-alice` : '/events?token=token-alice';
      const url = `${path}&since=${start}`;
      const received: number[] = [];
      let lastEventId: string | undefined;
      let connections = 0;
      for (;;) {
        connections += 1;
        const client = connect(current, url, lastEventId === undefined ? {} : { 'Last-Event-ID': lastEventId });
        const stopAfter = 1 + Math.floor(next() * 80);
        await client.waitFor(() => {
          const got = client.events();
          return got.length >= stopAfter || got.at(-1)?.type === 'completed';
        });
        expect(client.messages()[0]).toMatchObject({ type: 'connected', seq: Number(lastEventId ?? start) });
        client.disconnect();
        await client.ended;
        const events = client.events();
        received.push(...events.map((event) => event.seq));
        lastEventId = client.lastEventId() ?? lastEventId;
        if (events.at(-1)?.type === 'completed') break;
      }
      await writer;
      const stored = (
        await current.engine.listEvents({
          ...(kind === 'task' ? { taskId } : { userId: 'alice' }),
          after: start,
          limit: 10_000,
        })
      ).map((event) => event.seq);
      expect(stored.length).toBe(kind === 'task' ? 501 : 668);
      expect(received).toEqual(stored);
      expect(connections).toBeGreaterThan(5);
      await nothingHeld(current, 'alice');
    },
  );
});

describe('openEventStream: retention', () => {
  it('answers a since older than the retained log, or ahead of it, with resync and a fresh current_status', async () => {
    let oldest: number | null = null;
    const current = await setup({ stream: () => ({ oldestRetainedSeq: () => oldest }) });
    const taskId = await current.createTask('alice');
    await current.append(taskId, 'alice');
    const latest = await current.append(taskId, 'alice');
    oldest = latest;

    const pruned = connect(current, '/events?token=token-alice&since=0');
    await pruned.waitForType('current_status');
    expect(pruned.frames.slice(0, 3).map((frame) => [frame.id, frame.event])).toEqual([
      [String(latest), 'connected'],
      [String(latest), 'resync'],
      [String(latest), 'current_status'],
    ]);
    expect(pruned.messages()[1]).toMatchObject({ reason: 'since_before_retained_log' });
    expect(pruned.messages()[2]).toMatchObject({ task_id: taskId, status: 'pending' });
    const ahead = connect(current, `/tasks/${taskId}/events?token=token-alice`, { 'Last-Event-ID': '999' });
    await ahead.waitForType('current_status');
    expect(ahead.messages().map((message) => message.type)).toEqual(['connected', 'resync', 'current_status']);
    expect(ahead.messages()[1]).toMatchObject({ reason: 'since_ahead_of_log', seq: latest });

    const fine = connect(current, `/events?token=token-alice&since=${latest - 1}`);
    await fine.waitFor(() => fine.events().length === 1);
    expect(fine.messages().map((message) => message.type)).toEqual(['connected', 'progress']);
    expect(pruned.events()).toEqual([]);
  });
});

describe('openEventStream: ending', () => {
  it("sends a deleted task's deleted event, then closing task_deleted, and ends; the user stream goes on", async () => {
    const current = await setup();
    const taskId = await current.createTask('alice');
    const task = connect(current, `/tasks/${taskId}/events?token=token-alice`);
    const user = connect(current, '/events?token=token-alice');
    await task.waitForType('current_status');
    await user.waitForType('connected');
    // Deleted by another process (straight in storage): the stream learns of it from the log alone.
    const removed = await current.storage.deleteTask(taskId, {
      event: (record) => ({
        type: 'deleted',
        task_id: record.task_id,
        user_id: record.user_id,
        roadmap_id: record.roadmap_id,
        timestamp: new Date(0).toISOString(),
      }),
    });
    const seq = removed?.event?.seq as number;
    await task.ended;
    expect(task.events().map((event) => [event.type, event.seq])).toEqual([['deleted', seq]]);
    expect(task.frames.at(-1)).toMatchObject({ id: String(seq), event: 'closing', data: { reason: 'task_deleted' } });
    await user.waitFor(() => user.events().some((event) => event.type === 'deleted'));
    expect(user.frames.some((frame) => frame.event === 'closing')).toBe(false);
  });

  it('sends closing token_expired at expiresAt and ends; nothing is held after', async () => {
    const current = await setup({ stream: () => ({ expiresAt: Date.now() + 100 }) });
    const taskId = await current.createTask('alice');
    const client = connect(current, `/tasks/${taskId}/events?token=token-alice`);
    await client.waitForType('current_status');
    await client.ended;
    expect(client.frames.at(-1)).toMatchObject({ event: 'closing', data: { reason: 'token_expired' } });
    await nothingHeld(current, 'alice');
  });

  it('ends when the signal aborts or the reader cancels, releasing the hub listener and the slot', async () => {
    const current = await setup();
    const taskId = await current.createTask('alice');
    const hub = eventHubOf(current.engine);
    const connections = userConnectionsOf(current.engine);

    const controller = new AbortController();
    const aborted = await openEventStream({ engine: current.engine, userId: 'alice', signal: controller.signal });
    const cancelled = await openEventStream({
      engine: current.engine,
      userId: 'alice',
      taskId,
      signal: new AbortController().signal,
    });
    expect([hub.size, connections.count('alice')]).toEqual([2, 2]);

    const reader = aborted.getReader();
    const connected = new TextDecoder().decode((await reader.read()).value);
    expect(connected).toMatch(/^id: \d+\nevent: connected\ndata: \{.*\}\n\n$/);
    controller.abort();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect([hub.size, connections.count('alice')]).toEqual([1, 1]);

    await cancelled.cancel();
    expect([hub.size, connections.count('alice')]).toEqual([0, 0]);
  });

  it('releases everything after many clients come and go on both streams', async () => {
    const current = await setup();
    const taskId = await current.createTask('alice');
    for (let round = 0; round < 5; round += 1) {
      const batch = [0, 1, 2, 3].map((index) =>
        connect(current, index % 2 === 0 ? '/events?token=token-alice' : `/tasks/${taskId}/events?token=token-alice`),
      );
      await Promise.all(batch.map((client) => client.waitForType('connected')));
      await current.append(taskId, 'alice');
      await Promise.all(batch.map((client) => client.waitFor(() => client.events().length === 1)));
      for (const client of batch) client.disconnect();
    }
    await nothingHeld(current, 'alice');
  });

  it('fails the stream of a client that stops reading once its buffer passes the limit', async () => {
    const current = await setup({ stream: { maxBufferedBytes: 256 * 1024 } });
    const taskId = await current.createTask('alice');
    const client = connect(current, `/tasks/${taskId}/events?token=token-alice`);
    await client.waitForType('current_status');
    client.response?.pause();
    const total = 1500;
    const big = 'x'.repeat(16 * 1024);
    const connections = userConnectionsOf(current.engine);
    let written = 0;
    for (; written < total && connections.count('alice') > 0; written += 1) {
      await current.append(taskId, 'alice', { message: big } as never);
      if (written % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 15));
    }
    // The stream failed and let go of its queue, its hub listener and its slot while the client still did not read.
    expect(connections.count('alice')).toBe(0);
    expect(eventHubOf(current.engine).size).toBe(0);
    expect(written).toBeLessThan(total);
    client.response?.resume();
    await client.ended;
    expect(client.events().length).toBeLessThan(written);
    const seqs = client.events().map((event) => event.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await nothingHeld(current, 'alice');
  });
});
