// The replay guarantee of the event streams through the real routes, on both hosts (Express and the fetch handler
// under Node's HTTP server): a browser that drops and resumes with Last-Event-ID misses nothing and gets nothing twice.
import type { AddressInfo } from 'node:net';
import type { NewRoadmapEvent } from '@roadmap/core';
import { isoTime } from '@roadmap/core/internal';
import { eventHubOf, userConnectionsOf } from '@roadmap/http';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, createTestApp, hosts, owner, type TestApp } from './routerTestSupport.js';

interface Frame {
  id: string | undefined;
  event: string;
  data: { type: string; seq: number; task_id: string | null };
}

const controlTypes = new Set(['connected', 'current_status', 'resync', 'closing']);
let app: TestApp | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** The complete frames of an event-stream text, as a browser dispatches them (comments and a cut frame skipped). */
function framesOf(text: string): Frame[] {
  return text
    .split('\n\n')
    .slice(0, -1)
    .filter((block) => !block.startsWith(':'))
    .map((block) => {
      const fields = new Map(
        block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      );
      return {
        id: fields.get('id'),
        event: fields.get('event') ?? 'message',
        data: JSON.parse(fields.get('data') ?? 'null'),
      };
    });
}

/** Opens a stream and reads it until `enough` holds for its frames or it ends; then drops the connection. */
async function readStream(url: string, headers: Record<string, string>, enough: (frames: Frame[]) => boolean) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (enough(framesOf(text))) break;
  }
  controller.abort();
  await reader.cancel().catch(() => {});
  return framesOf(text);
}

describe.each(hosts)('event streams on the %s host: replay across drops', (host) => {
  it.each([7, 99])(
    '500 events while the client drops at seeded-random points and resumes with Last-Event-ID (seed %i)',
    async (seed) => {
      app = await createTestApp({ host, worker: false });
      const current = app;
      // The hub polls every 10 ms (events are written straight to storage, as by a worker in another process).
      eventHubOf(current.engine, { pollIntervalMs: 10 });
      const { task } = await current.engine.generate({
        userId: owner,
        request: { preferences: { learning_goal: 'Learn Go' } },
      });
      const taskId = task.task_id;
      const start = (await current.engine.listEvents({})).at(-1)?.seq as number;
      const port = (current.server.address() as AddressInfo).port;
      let random = seed;
      const next = () => {
        random = (random * 1_103_515_245 + 12_345) % 2_147_483_648;
        return random / 2_147_483_648;
      };
      const append = async (fields: Partial<NewRoadmapEvent>) => {
        const stored = await current.storage.appendEvent({
          type: 'progress',
          task_id: taskId,
          user_id: owner,
          timestamp: isoTime(Date.now()),
          step: 'content_generation',
          status: 'processing',
          message: 'working',
          progress: { completed: 0, failed: 0, total: 0, percentage: 0 },
          ...fields,
        } as NewRoadmapEvent);
        if (!stored) throw new Error('append failed');
      };
      const writer = (async () => {
        for (let index = 0; index < 500; index += 1) {
          await append({ message: `event ${index}` } as never);
          if (next() < 0.2) await new Promise((resolve) => setTimeout(resolve, 1));
        }
        await append({
          type: 'completed',
          roadmap_id: 'r',
          status: 'completed',
          tutorials_count: 1,
          failed_count: 0,
        } as never);
      })();

      const url = `http://127.0.0.1:${port}/api/v1/roadmaps/tasks/${taskId}/events?since=${start}`;
      const received: number[] = [];
      let lastEventId: string | undefined;
      let connections = 0;
      for (;;) {
        connections += 1;
        const stopAfter = 1 + Math.floor(next() * 80);
        const headers: Record<string, string> = { authorization: bearer(owner) };
        if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
        const frames = await readStream(url, headers, (sofar) => {
          const events = sofar.filter((frame) => !controlTypes.has(frame.event));
          return events.length >= stopAfter || events.at(-1)?.event === 'completed';
        });
        expect(frames[0]).toMatchObject({ event: 'connected', id: lastEventId ?? String(start) });
        const events = frames.filter((frame) => !controlTypes.has(frame.event));
        received.push(...events.map((frame) => frame.data.seq));
        lastEventId = frames.findLast((frame) => frame.id !== undefined)?.id ?? lastEventId;
        if (events.at(-1)?.event === 'completed') break;
      }
      await writer;
      const stored = (await current.engine.listEvents({ taskId, after: start, limit: 10_000 })).map(
        (event) => event.seq,
      );
      expect(stored.length).toBe(501);
      expect(received).toEqual(stored);
      expect(connections).toBeGreaterThan(5);
      expect(current.serverErrors).toEqual([]);
      // Every dropped stream let go of its hub listener and its connection slot.
      const deadline = Date.now() + 5000;
      while (
        (eventHubOf(current.engine).size > 0 || userConnectionsOf(current.engine).count(owner) > 0) &&
        Date.now() < deadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect([eventHubOf(current.engine).size, userConnectionsOf(current.engine).count(owner)]).toEqual([0, 0]);
    },
  );
});
