import type { AddressInfo } from 'node:net';
import { signJwt } from '@roadmap/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, hosts, otherUser, owner, type TestApp, testSecret } from './routerTestSupport.js';

interface Frame {
  id: number;
  event: string;
  data: { type: string; seq: number; task_id: string };
}

/** The complete `id:`/`event:`/`data:` frames of an event-stream text (comments and a cut last frame skipped). */
function framesOf(text: string): Frame[] {
  return text
    .split('\n\n')
    .slice(0, -1)
    .filter((block) => block.includes('data: '))
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .find((line) => line.startsWith(`${name}: `))
          ?.slice(name.length + 2) ?? '';
      return { id: Number(field('id')), event: field('event'), data: JSON.parse(field('data')) };
    });
}

/** Reads a stream's text until `enough` holds, then cancels it. */
async function readUntil(body: ReadableStream<Uint8Array>, enough: (text: string) => boolean): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (!enough(text)) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel();
  }
  return text;
}

describe.each(hosts)('Server-Sent Events on the %s host (SPEC §8)', (host) => {
  let app: TestApp;
  let baseUrl: string;
  let taskId: string;
  beforeAll(async () => {
    app = await createTestApp({ host });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1`;
    ({ taskId } = await app.generateAndFinish(owner));
  });
  afterAll(() => app.close());

  const tokenOf = (userId: string) => signJwt({ sub: userId, expiresInSeconds: 600 }, testSecret);

  it("replays a finished task's events from since=0 with ?token=, then closing, and ends", async () => {
    const response = await fetch(`${baseUrl}/roadmaps/tasks/${taskId}/events?since=0&token=${tokenOf(owner)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const frames = framesOf(await response.text());
    const events = frames.filter((frame) => !['connected', 'current_status', 'closing'].includes(frame.event));
    const stored = await app.engine.listEvents({ taskId, limit: 10_000 });
    expect(events.map((frame) => frame.id)).toEqual(stored.map((event) => event.seq));
    expect(events.every((frame) => frame.data.task_id === taskId && frame.data.seq === frame.id)).toBe(true);
    expect(frames.at(-1)?.event).toBe('closing');
    expect(app.serverErrors).toEqual([]);
  });

  it('Last-Event-ID wins over since: only later events are replayed', async () => {
    const stored = await app.engine.listEvents({ taskId, limit: 10_000 });
    const middle = stored[Math.floor(stored.length / 2)]?.seq ?? 0;
    const response = await fetch(`${baseUrl}/roadmaps/tasks/${taskId}/events?since=0`, {
      headers: { authorization: bearer(owner), 'last-event-id': String(middle) },
    });
    expect(response.status).toBe(200);
    const events = framesOf(await response.text()).filter(
      (frame) => !['connected', 'current_status', 'closing'].includes(frame.event),
    );
    expect(events.map((frame) => frame.id)).toEqual(stored.filter((event) => event.seq > middle).map((e) => e.seq));
  });

  it("streams the user's own events on /events until the client goes away", async () => {
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}/events?since=0`, {
      headers: { authorization: bearer(owner) },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const stored = await app.engine.listEvents({ userId: owner, limit: 10_000 });
    const lastSeq = stored.at(-1)?.seq ?? 0;
    const text = await readUntil(response.body as ReadableStream<Uint8Array>, (sofar) =>
      framesOf(sofar).some((frame) => frame.id === lastSeq && frame.event !== 'connected'),
    );
    controller.abort();
    const events = framesOf(text).filter((frame) => !['connected', 'current_status'].includes(frame.event));
    expect(events.map((frame) => frame.id)).toEqual(stored.map((event) => event.seq));
    expect(app.serverErrors).toEqual([]);
  });

  it('a client that goes away gives its stream back: 20 open (the per-user cap), dropped, then 20 open again', async () => {
    const open = async () => {
      const controller = new AbortController();
      const response = await fetch(`${baseUrl}/events`, {
        headers: { authorization: bearer(otherUser) },
        signal: controller.signal,
      });
      return { status: response.status, drop: () => controller.abort() };
    };
    const first = await Promise.all(Array.from({ length: 20 }, open));
    expect(first.map((stream) => stream.status)).toEqual(Array(20).fill(200));
    const over = await open();
    expect(over.status).toBe(429);
    over.drop();
    for (const stream of first) stream.drop();
    // The server notices each disconnect on its own turn: wait until a stream is admitted again, then fill the cap.
    let admitted = await open();
    for (let attempt = 0; admitted.status !== 200 && attempt < 200; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      admitted = await open();
    }
    expect(admitted.status).toBe(200);
    const again = [admitted];
    while (again.length < 20) {
      const stream = await open();
      if (stream.status === 200) again.push(stream);
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const stream of again) stream.drop();
    expect(app.serverErrors).toEqual([]);
  });

  it('refuses before any byte: 401 without a token, 403 for a foreign task, 400 for a bad since', async () => {
    const anonymous = await fetch(`${baseUrl}/events`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const badToken = await fetch(`${baseUrl}/events?token=a.b.c`);
    expect(badToken.status).toBe(401);
    expect(badToken.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const foreign = await fetch(`${baseUrl}/roadmaps/tasks/${taskId}/events?token=${tokenOf(otherUser)}`);
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ code: 'forbidden' });
    const badSince = await fetch(`${baseUrl}/events?since=-1&token=${tokenOf(owner)}`);
    expect(badSince.status).toBe(400);
    expect(await badSince.json()).toMatchObject({ code: 'invalid_input', errors: [{ path: 'since' }] });
    const badLastEventId = await fetch(`${baseUrl}/events`, {
      headers: { authorization: bearer(owner), 'last-event-id': 'x' },
    });
    expect(await badLastEventId.json()).toMatchObject({ errors: [{ path: 'Last-Event-ID' }] });
    expect(app.serverErrors).toEqual([]);
  });
});
