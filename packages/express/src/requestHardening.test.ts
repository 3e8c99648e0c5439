import { defaultRateLimits } from '@roadmap/http';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createTestApp,
  hosts,
  learnRust,
  otherUser,
  owner,
  pngBytes,
  type TestApp,
  waitForCover,
} from './routerTestSupport.js';

const generatePath = '/api/v1/roadmaps/generate';

describe.each(hosts)('on the %s host', (host) => {
  describe('bodies a client gets wrong are 4xx, never 500', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await createTestApp({ host, worker: false });
    });
    afterAll(() => app.close());

    const postRaw = (path: string, text: string) =>
      app.http.post(path).set('Authorization', bearer(owner)).set('Content-Type', 'application/json').send(text);

    it('answers 400 invalid_json for malformed JSON', async () => {
      const response = await postRaw(generatePath, '{"preferences": {').expect(400);
      expect(response.body).toEqual({ detail: expect.any(String), code: 'invalid_json' });
    });

    it('answers 413 payload_too_large for a 65 KB JSON body', async () => {
      const body = JSON.stringify({ ...learnRust, additional_context: 'x'.repeat(65 * 1024) });
      const response = await postRaw(generatePath, body).expect(413);
      expect(response.body).toEqual({ detail: expect.any(String), code: 'payload_too_large' });
    });

    it('answers 400 for a non-JSON content type instead of guessing', async () => {
      const response = await app.http
        .post(generatePath)
        .set('Authorization', bearer(owner))
        .set('Content-Type', 'text/plain')
        .send('learn rust')
        .expect(400);
      expect(response.body.code).toBe('invalid_input');
    });

    it('ignores __proto__ and constructor keys: nothing is polluted and the owner stays the caller', async () => {
      const text = `{"__proto__":{"polluted":"yes","user_id":"${otherUser}"},"constructor":{"prototype":{"polluted":"yes"}},"user_id":"${otherUser}","preferences":{"learning_goal":"Learn Go","__proto__":{"polluted":"yes"}}}`;
      const response = await postRaw(generatePath, text).expect(202);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      const record = await app.storage.getTask(response.body.task_id);
      expect(record?.user_id).toBe(owner);
      expect(Object.getPrototypeOf(record?.request)).toBe(Object.prototype);
      expect(Object.keys(record?.request.preferences ?? {}).sort()).toEqual([
        'available_hours_per_week',
        'current_level',
        'learning_goal',
      ]);
    });

    it('answers an unexpected failure with 500 and a generic detail, never the error itself', async () => {
      const original = app.engine.listRoadmaps;
      app.engine.listRoadmaps = async () => {
        throw new Error('connection string postgres://admin:hunter2@db');
      };
      try {
        const response = await app.http.get('/api/v1/roadmaps').set('Authorization', bearer(owner)).expect(500);
        expect(response.body).toEqual({ detail: 'Internal server error.', code: 'internal_error' });
        expect(response.text).not.toContain('hunter2');
        expect(app.serverErrors.at(-1)).toBeInstanceOf(Error);
      } finally {
        app.engine.listRoadmaps = original;
      }
    });

    it('property: 1,000 malformed bodies to generate, batch-get, batch-generate and cancel never reach 500', async () => {
      const pending = await app.http.post(generatePath).set('Authorization', bearer(owner)).send(learnRust).expect(202);
      const taskId: string = pending.body.task_id;
      const endpoints = [
        generatePath,
        '/api/v1/cover-images/batch-get',
        '/api/v1/cover-images/batch-generate',
        `/api/v1/roadmaps/tasks/${taskId}/cancel`,
      ];
      const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'user_id', 'userId', 'toString');
      const wrongType = fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.string({ maxLength: 600 }),
        fc.integer(),
        fc.constant('x'.repeat(70_000)),
      );
      const value = fc.oneof(
        fc.jsonValue({ maxDepth: 4 }),
        fc.record(
          {
            preferences: fc.oneof(
              wrongType,
              fc.record(
                {
                  learning_goal: fc.oneof(wrongType, fc.string({ minLength: 3, maxLength: 40 })),
                  available_hours_per_week: fc.oneof(wrongType, fc.integer({ min: -5, max: 200 })),
                  current_level: fc.oneof(wrongType, fc.constantFrom('beginner', 'expert')),
                  content_preference: fc.oneof(wrongType, fc.array(fc.string(), { maxLength: 30 })),
                },
                { requiredKeys: [] },
              ),
            ),
            additional_context: wrongType,
            user_id: fc.constant(otherUser),
            roadmap_ids: fc.oneof(
              wrongType,
              fc.array(fc.string({ maxLength: 20 }), { minLength: 0, maxLength: 1000 }),
              fc.array(wrongType, { maxLength: 5 }),
            ),
            reason: wrongType,
          },
          { requiredKeys: [] },
        ),
        fc.dictionary(hostileKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
      );
      // Bodies as text, so that keys like `__proto__` reach the server literally, plus text that is not JSON.
      const bodyText = fc.oneof(
        value.map((body) => JSON.stringify(body) ?? 'null'),
        fc
          .tuple(hostileKey, fc.jsonValue({ maxDepth: 2 }))
          .map(([key, inner]) => `{"${key}":${JSON.stringify(inner) ?? 'null'},"user_id":"${otherUser}"}`),
        fc.string({ maxLength: 200 }),
      );
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...endpoints), bodyText, async (path, text) => {
          const response = await postRaw(path, text);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          expect(response.status).toBeLessThan(500);
          expect(response.status).toBeGreaterThanOrEqual(200);
        }),
        { numRuns: 1000 },
      );
      expect([...statuses.values()].reduce((sum, count) => sum + count, 0)).toBe(1000);
      expect(statuses.get(400)).toBeGreaterThan(100);
      expect(app.serverErrors).toHaveLength(1); // only the deliberate one above
      const everything = await app.storage.listTasks({ limit: 1000 });
      expect(everything.tasks.every((task) => task.user_id === owner)).toBe(true);
      expect(Object.keys(Object.prototype)).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }, 60_000);
  });

  describe('rate limits', () => {
    let app: TestApp;
    let clock = 1_000_000;
    afterEach(() => app.close());

    it('answers 429 with Retry-After once a user exceeds the generate limit, per user, until the window ends', async () => {
      app = await createTestApp({
        host,
        worker: false,
        router: { now: () => clock, rateLimits: { generate: { limit: 2, windowMs: 60_000 } } },
      });
      const generate = (userId: string) =>
        app.http.post(generatePath).set('Authorization', bearer(userId)).send(learnRust);
      await generate(owner).expect(202);
      await generate(owner).expect(202);
      const limited = await generate(owner).expect(429);
      expect(limited.body).toEqual({ detail: expect.any(String), code: 'rate_limited' });
      expect(limited.headers['retry-after']).toBe('60');
      clock += 45_000;
      expect((await generate(owner).expect(429)).headers['retry-after']).toBe('15');
      await generate(otherUser).expect(202);
      clock += 15_000;
      await generate(owner).expect(202);
      expect((await app.engine.listTasks({ userId: owner })).total).toBe(3);
    });

    it('limits cancel, retry, item retry and cover upload, each per user in its own bucket, before any work', async () => {
      app = await createTestApp({
        host,
        worker: false,
        router: {
          now: () => clock,
          rateLimits: {
            cancel: { limit: 1, windowMs: 60_000 },
            retry: { limit: 1, windowMs: 60_000 },
            itemRetry: { limit: 1, windowMs: 60_000 },
            coverUpload: { limit: 1, windowMs: 60_000 },
          },
        },
      });
      const { body } = await app.http
        .post(generatePath)
        .set('Authorization', bearer(owner))
        .send(learnRust)
        .expect(202);
      const as = (userId: string) => ({ Authorization: bearer(userId) });
      const cancel = (userId: string) => app.http.post(`/api/v1/roadmaps/tasks/${body.task_id}/cancel`).set(as(userId));
      const retry = (userId: string) => app.http.post(`/api/v1/roadmaps/tasks/${body.task_id}/retry`).set(as(userId));
      const itemRetry = (userId: string) =>
        app.http.post('/api/v1/roadmaps/learn-nothing-00000000/concepts/s1-m1-c1/quiz/retry').set(as(userId));
      const upload = (userId: string) =>
        app.http
          .put('/api/v1/roadmap/learn-nothing-00000000/cover-image')
          .set(as(userId))
          .set('Content-Type', 'image/png')
          .send(pngBytes());

      await cancel(owner).expect(200);
      const limitedCancel = await cancel(owner).expect(429);
      expect(limitedCancel.body).toEqual({ detail: expect.any(String), code: 'rate_limited' });
      expect(limitedCancel.headers['retry-after']).toBe('60');
      await retry(owner).expect(202);
      expect((await retry(owner).expect(429)).headers['retry-after']).toBe('60');
      await itemRetry(owner).expect(404);
      expect((await itemRetry(owner).expect(429)).headers['retry-after']).toBe('60');
      await upload(owner).expect(404);
      expect((await upload(owner).expect(429)).headers['retry-after']).toBe('60');
      // A refused request did nothing: the task was cancelled once and retried once.
      const events = await app.engine.listEvents({ taskId: body.task_id });
      expect(events.filter((event) => event.type === 'cancelled')).toHaveLength(1);

      // Another user has buckets of their own; the window ends.
      await cancel(otherUser).expect(403);
      await itemRetry(otherUser).expect(404);
      clock += 60_000;
      await cancel(owner).expect(200);
    });

    it('has defaults for every bucket', () => {
      expect(defaultRateLimits).toEqual({
        generate: { limit: 10, windowMs: 60_000 },
        coverGeneration: { limit: 30, windowMs: 60_000 },
        cancel: { limit: 60, windowMs: 60_000 },
        retry: { limit: 30, windowMs: 60_000 },
        itemRetry: { limit: 60, windowMs: 60_000 },
        coverUpload: { limit: 20, windowMs: 60_000 },
      });
    });

    it('limits cover generation, single and batch together', async () => {
      app = await createTestApp({ host, router: { rateLimits: { coverGeneration: { limit: 2, windowMs: 10_000 } } } });
      const { roadmapId } = await app.generateAndFinish(owner);
      await waitForCover(app.engine, roadmapId);
      await app.http
        .post(`/api/v1/roadmap/${roadmapId}/cover-image/generate`)
        .set('Authorization', bearer(owner))
        .expect(202);
      await app.http
        .post('/api/v1/cover-images/batch-generate')
        .set('Authorization', bearer(owner))
        .send({ roadmap_ids: [roadmapId] })
        .expect(200);
      const limited = await app.http
        .post('/api/v1/cover-images/batch-generate')
        .set('Authorization', bearer(owner))
        .send({ roadmap_ids: [roadmapId] })
        .expect(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      await app.http
        .post(`/api/v1/roadmap/${roadmapId}/cover-image/generate`)
        .set('Authorization', bearer(owner))
        .expect(429);
      await waitForCover(app.engine, roadmapId);
    });
  });
});
