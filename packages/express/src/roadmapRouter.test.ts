import { RoadmapError } from '@roadmap/core';
import { createScriptedModel } from '@roadmap/core/testing';
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

const isoTime = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/);
/** A well-formed task id (UUID v4) that no task has. */
const unknownTaskId = '00000000-0000-4000-8000-000000000000';

describe.each(hosts)('on the %s host', (host) => {
  describe('task routes on a queue without a worker (tasks stay pending)', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await createTestApp({ host, worker: false });
    });
    afterAll(() => app.close());

    const generate = (userId: string, body: unknown = learnRust) =>
      app.http
        .post('/api/v1/roadmaps/generate')
        .set('Authorization', bearer(userId))
        .send(body as object);

    it('POST /roadmaps/generate answers 202 { task_id, roadmap_id, status, message }', async () => {
      const response = await generate(owner).expect(202);
      expect(Object.keys(response.body).sort()).toEqual(['message', 'roadmap_id', 'status', 'task_id']);
      expect(response.body).toMatchObject({
        task_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        roadmap_id: expect.stringMatching(/^learn-rust-for-systems-programming-[0-9a-f]{8}$/),
        status: 'pending',
      });
      const task = await app.engine.getTask(response.body.task_id);
      expect(task?.user_id).toBe(owner);
    });

    it('takes the owner from the token, never from the body, and strips unknown keys', async () => {
      const response = await generate(owner, { ...learnRust, user_id: otherUser, extra: { deep: true } }).expect(202);
      const record = await app.storage.getTask(response.body.task_id);
      expect(record?.user_id).toBe(owner);
      expect(record?.request).toEqual({
        preferences: {
          learning_goal: learnRust.preferences.learning_goal,
          available_hours_per_week: 10,
          current_level: 'beginner',
        },
      });
    });

    it('answers 400 invalid_input with field errors for a bad request', async () => {
      const response = await generate(owner, {
        preferences: { learning_goal: 'x', available_hours_per_week: 500 },
      }).expect(400);
      expect(response.body.code).toBe('invalid_input');
      expect(response.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
        'preferences.available_hours_per_week',
        'preferences.learning_goal',
      ]);
    });

    it('passes Idempotency-Key to generate: the same key answers the same task', async () => {
      const first = await generate(owner).set('Idempotency-Key', 'key-1').expect(202);
      const second = await generate(owner).set('Idempotency-Key', 'key-1').expect(202);
      expect(second.body.task_id).toBe(first.body.task_id);
      const foreign = await generate(otherUser).set('Idempotency-Key', 'key-1').expect(202);
      expect(foreign.body.task_id).not.toBe(first.body.task_id);
      const tooLong = await generate(owner).set('Idempotency-Key', 'k'.repeat(201)).expect(400);
      expect(tooLong.body.code).toBe('invalid_input');
    });

    it('GET /roadmaps/tasks lists own tasks with counts, filters and paging', async () => {
      await generate(otherUser).expect(202);
      const response = await app.http.get('/api/v1/roadmaps/tasks').set('Authorization', bearer(owner)).expect(200);
      const { tasks, ...counts } = response.body;
      const own = await app.engine.listTasks({ userId: owner });
      expect(counts).toEqual({
        total: own.total,
        pending_count: own.total,
        processing_count: 0,
        completed_count: 0,
        failed_count: 0,
        cancelled_count: 0,
      });
      expect(tasks).toHaveLength(own.total);
      expect(Object.keys(tasks[0]).sort()).toEqual(
        [
          'task_id',
          'roadmap_id',
          'title',
          'status',
          'current_step',
          'progress',
          'created_at',
          'updated_at',
          'completed_at',
          'error_message',
          'usage',
        ].sort(),
      );
      expect(tasks[0]).toMatchObject({ title: learnRust.preferences.learning_goal, created_at: isoTime });

      const paged = await app.http
        .get('/api/v1/roadmaps/tasks?limit=1&offset=1&status=pending')
        .set('Authorization', bearer(owner))
        .expect(200);
      expect(paged.body.tasks).toHaveLength(1);
      expect(paged.body.tasks[0].task_id).toBe(own.tasks[1]?.task_id);
      const none = await app.http
        .get('/api/v1/roadmaps/tasks?status=completed,cancelled')
        .set('Authorization', bearer(owner))
        .expect(200);
      expect(none.body.tasks).toEqual([]);
      expect(none.body.total).toBe(0);
    });

    it.each([
      'status=done',
      'status=pending,bogus',
      'limit=0',
      'limit=101',
      'limit=abc',
      'limit=1.5',
      'offset=-1',
      'offset=1e3',
    ])('GET /roadmaps/tasks?%s answers 400', async (query) => {
      const response = await app.http
        .get(`/api/v1/roadmaps/tasks?${query}`)
        .set('Authorization', bearer(owner))
        .expect(400);
      expect(response.body.code).toBe('invalid_input');
      expect(response.body.errors).toHaveLength(1);
    });

    it('GET /roadmaps/tasks/{id} answers the full task; /roadmaps/{id}/status the short one', async () => {
      const { body } = await generate(owner).expect(202);
      const full = await app.http
        .get(`/api/v1/roadmaps/tasks/${body.task_id}`)
        .set('Authorization', bearer(owner))
        .expect(200);
      expect(full.body).toEqual(await app.engine.getTask(body.task_id));
      const status = await app.http
        .get(`/api/v1/roadmaps/${body.task_id}/status`)
        .set('Authorization', bearer(owner))
        .expect(200);
      expect(status.body).toEqual({
        task_id: body.task_id,
        status: 'pending',
        current_step: 'queued',
        roadmap_id: body.roadmap_id,
        created_at: isoTime,
        updated_at: isoTime,
        error_message: null,
      });
      await app.http.get(`/api/v1/roadmaps/tasks/${body.task_id}`).set('Authorization', bearer(otherUser)).expect(403);
      await app.http.get(`/api/v1/roadmaps/tasks/${unknownTaskId}`).set('Authorization', bearer(owner)).expect(404);
      await app.http.get(`/api/v1/roadmaps/${unknownTaskId}/status`).set('Authorization', bearer(owner)).expect(404);
      // An id no task can have is refused before storage is asked.
      const malformed = await app.http.get('/api/v1/roadmaps/tasks/unknown-task').set('Authorization', bearer(owner));
      expect(malformed.status).toBe(400);
      expect(malformed.body).toEqual({
        detail: 'The task_id in the path is invalid.',
        code: 'invalid_input',
        errors: [{ path: 'task_id', message: expect.stringMatching(/^must be a UUID v4/) }],
      });
    });

    it('cancel: 200, then 400 task_not_cancellable; 403 for another user; 404 for an unknown task', async () => {
      const { body } = await generate(owner).expect(202);
      const cancel = (userId: string, taskId = body.task_id) =>
        app.http.post(`/api/v1/roadmaps/tasks/${taskId}/cancel`).set('Authorization', bearer(userId));

      const foreign = await cancel(otherUser).send({ reason: 'mine now' }).expect(403);
      expect(foreign.body.code).toBe('forbidden');
      const unknown = await cancel(owner, unknownTaskId).expect(404);
      expect(unknown.body).toEqual({ detail: expect.any(String), code: 'not_found' });

      const accepted = await cancel(owner).send({ reason: 'changed my mind' }).expect(200);
      expect(accepted.body).toEqual({
        success: true,
        task_id: body.task_id,
        message: expect.any(String),
        previous_status: 'pending',
        aborted_calls: 0,
        kept_items: 0,
        usage: { calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 },
      });
      const task = await app.engine.getTask(body.task_id);
      expect(task).toMatchObject({ status: 'cancelled', cancel_reason: 'changed my mind' });

      const again = await cancel(owner).expect(400);
      expect(again.body.code).toBe('task_not_cancellable');
      const badReason = await cancel(owner).send({ reason: 42 }).expect(400);
      expect(badReason.body.code).toBe('invalid_input');
    });

    /** A pending task made through the engine (the generate route's rate limit is for the tests above). */
    const created = async (userId: string) =>
      (await app.engine.generate({ userId, request: { preferences: learnRust.preferences } })).task.task_id;

    it('batch cancel: 200 { cancelled, not_cancellable, not_found } by ids; foreign ids are not_found', async () => {
      const first = await created(owner);
      const second = await created(owner);
      const foreign = await created(otherUser);
      const batch = (userId: string) =>
        app.http.post('/api/v1/roadmaps/tasks/cancel').set('Authorization', bearer(userId));
      await batch(owner)
        .send({ task_ids: [second] })
        .expect(200);

      const response = await batch(owner)
        .send({ task_ids: [first, second, foreign, unknownTaskId], reason: 'clean up' })
        .expect(200);
      expect(response.body).toEqual({
        cancelled: [first],
        not_cancellable: [second],
        not_found: [foreign, unknownTaskId],
      });
      expect(await app.engine.getTask(first)).toMatchObject({ status: 'cancelled', cancel_reason: 'clean up' });
      expect((await app.engine.getTask(foreign))?.status).toBe('pending');
    });

    it('batch cancel by status cancels every pending task of the caller only', async () => {
      const mine = [await created(owner), await created(owner)];
      const foreign = await created(otherUser);
      const response = await app.http
        .post('/api/v1/roadmaps/tasks/cancel')
        .set('Authorization', bearer(owner))
        .send({ status: 'active' })
        .expect(200);
      expect(response.body.cancelled).toEqual(expect.arrayContaining(mine));
      expect(response.body.not_found).toEqual([]);
      expect((await app.engine.getTask(foreign))?.status).toBe('pending');
      const listed = await app.engine.listTasks({ userId: owner, statuses: ['pending', 'processing'] });
      expect(listed.total).toBe(0);
    });

    it.each([
      ['no body', undefined],
      ['both selections', { task_ids: ['a'], status: 'pending' }],
      ['neither selection', { reason: 'x' }],
      ['an empty id list', { task_ids: [] }],
      ['101 ids', { task_ids: Array.from({ length: 101 }, (_, index) => `task-${index}`) }],
      ['a non-string id', { task_ids: [42] }],
      ['an unknown status', { status: 'completed' }],
      ['a long reason', { status: 'pending', reason: 'x'.repeat(501) }],
    ])('batch cancel answers 400 invalid_input for %s, cancelling nothing', async (_, body) => {
      const taskId = await created(owner);
      const request = app.http.post('/api/v1/roadmaps/tasks/cancel').set('Authorization', bearer(owner));
      const response = await (body === undefined ? request : request.send(body as object)).expect(400);
      expect(response.body.code).toBe('invalid_input');
      expect((await app.engine.getTask(taskId))?.status).toBe('pending');
    });

    it('retry: 400 for a pending task, 202 { task_id, status, items_to_retry, message } for a cancelled one', async () => {
      const { body } = await generate(owner).expect(202);
      const retry = (userId: string) =>
        app.http.post(`/api/v1/roadmaps/tasks/${body.task_id}/retry`).set('Authorization', bearer(userId));
      const notRetryable = await retry(owner).expect(400);
      expect(notRetryable.body.code).toBe('task_not_retryable');
      await app.http
        .post(`/api/v1/roadmaps/tasks/${body.task_id}/cancel`)
        .set('Authorization', bearer(owner))
        .expect(200);
      await retry(otherUser).expect(403);
      const accepted = await retry(owner).expect(202);
      expect(accepted.body).toEqual({
        task_id: body.task_id,
        status: 'pending',
        items_to_retry: 0,
        message: expect.any(String),
      });
      await app.http
        .post(`/api/v1/roadmaps/tasks/${unknownTaskId}/retry`)
        .set('Authorization', bearer(owner))
        .expect(404);
      await app.http.post('/api/v1/roadmaps/tasks/unknown/retry').set('Authorization', bearer(owner)).expect(400);
    });
  });

  describe('roadmap, concept and cover routes on a running engine', () => {
    let app: TestApp;
    let roadmapId: string;
    let taskId: string;
    beforeAll(async () => {
      app = await createTestApp({ host });
      const finished = await app.generateAndFinish(owner);
      roadmapId = finished.roadmapId;
      taskId = finished.taskId;
      expect(finished.terminal.type).toBe('completed');
      await waitForCover(app.engine, roadmapId);
    });
    afterAll(() => app.close());

    it('GET /roadmaps lists own roadmaps with concept counts', async () => {
      const response = await app.http.get('/api/v1/roadmaps').set('Authorization', bearer(owner)).expect(200);
      expect(response.body.roadmaps).toHaveLength(1);
      const [summary] = response.body.roadmaps;
      expect(summary).toEqual({
        roadmap_id: roadmapId,
        title: expect.any(String),
        total_concepts: expect.any(Number),
        completed_concepts: summary.total_concepts,
        task_id: taskId,
        task_status: 'completed',
        created_at: isoTime,
      });
      const foreign = await app.http.get('/api/v1/roadmaps').set('Authorization', bearer(otherUser)).expect(200);
      expect(foreign.body).toEqual({ roadmaps: [], next_cursor: null });
    });

    it('POST /roadmaps/estimate predicts calls, tokens and cost without a model call; 400 for a bad body', async () => {
      const before = (await app.engine.getUserUsage(owner)).calls;
      const response = await app.http
        .post('/api/v1/roadmaps/estimate')
        .set('Authorization', bearer(owner))
        .send(learnRust)
        .expect(200);
      expect(response.body).toEqual({
        estimated_calls: expect.any(Number),
        estimated_input_tokens: expect.any(Number),
        estimated_output_tokens: expect.any(Number),
        estimated_cost_usd: expect.any(Number),
      });
      expect(response.body.estimated_calls).toBeGreaterThan(10);
      expect((await app.engine.getUserUsage(owner)).calls).toBe(before);
      const bad = await app.http
        .post('/api/v1/roadmaps/estimate')
        .set('Authorization', bearer(owner))
        .send({ preferences: { learning_goal: 'x' } })
        .expect(400);
      expect(bad.body.code).toBe('invalid_input');
    });

    it("GET /usage answers what the caller's tasks of the period used; the task carries its own usage", async () => {
      const task = await app.http
        .get(`/api/v1/roadmaps/tasks/${taskId}`)
        .set('Authorization', bearer(owner))
        .expect(200);
      const { usage } = task.body;
      // The demo model reports tokens and is priced like gpt-4o-mini by default.
      expect(usage.calls).toBeGreaterThan(3);
      expect(usage.cost_usd).toBeGreaterThan(0);
      const response = await app.http.get('/api/v1/usage').set('Authorization', bearer(owner)).expect(200);
      expect(response.body).toEqual({
        period_start: expect.stringMatching(/^\d{4}-\d{2}-01T00:00:00\.000Z$/),
        period_end: expect.stringMatching(/^\d{4}-\d{2}-01T00:00:00\.000Z$/),
        spent_usd: usage.cost_usd,
        reserved_usd: 0,
        budget_usd: null,
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        calls: usage.calls,
      });
      const foreign = await app.http.get('/api/v1/usage').set('Authorization', bearer(otherUser)).expect(200);
      expect(foreign.body).toMatchObject({ calls: 0, spent_usd: 0 });
    });

    it('GET /roadmaps/{id} answers the roadmap with concept statuses; 404 for an unknown one', async () => {
      const response = await app.http
        .get(`/api/v1/roadmaps/${roadmapId}`)
        .set('Authorization', bearer(owner))
        .expect(200);
      expect(response.body).toMatchObject({ roadmap_id: roadmapId, user_id: owner });
      const concept = response.body.stages[0].modules[0].concepts[0];
      expect(concept).toMatchObject({
        tutorial_status: 'completed',
        resources_status: 'completed',
        quiz_status: 'completed',
      });
      await app.http.get('/api/v1/roadmaps/learn-nothing-00000000').set('Authorization', bearer(owner)).expect(404);
    });

    it('GET /roadmaps/{id}/concepts/{concept_id} answers { concept, tutorial, resources, quiz, partial_tutorial }', async () => {
      const roadmap = await app.engine.getRoadmap(roadmapId);
      const conceptId = roadmap?.stages[0]?.modules[0]?.concepts[0]?.concept_id;
      const response = await app.http
        .get(`/api/v1/roadmaps/${roadmapId}/concepts/${conceptId}`)
        .set('Authorization', bearer(owner))
        .expect(200);
      expect(Object.keys(response.body).sort()).toEqual([
        'concept',
        'item_errors',
        'partial_tutorial',
        'quiz',
        'resources',
        'tutorial',
      ]);
      // Complete: no partial text (SPEC §7 streaming), no item failed.
      expect(response.body.partial_tutorial).toBeNull();
      expect(response.body.item_errors).toEqual({ tutorial: null, resources: null, quiz: null });
      expect(response.body.concept.concept_id).toBe(conceptId);
      expect(response.body.tutorial.content.length).toBeGreaterThan(0);
      expect(response.body.resources.length).toBeGreaterThanOrEqual(5);
      expect(response.body.quiz.length).toBeGreaterThanOrEqual(5);
      await app.http
        .get(`/api/v1/roadmaps/${roadmapId}/concepts/s99-m1-c1`)
        .set('Authorization', bearer(owner))
        .expect(404);
      await app.http
        .get(`/api/v1/roadmaps/${roadmapId}/concepts/no-such-concept`)
        .set('Authorization', bearer(owner))
        .expect(400);
    });

    it('item retry of a completed task answers 400 item_not_retryable; a bad content type 400', async () => {
      const roadmap = await app.engine.getRoadmap(roadmapId);
      const conceptId = roadmap?.stages[0]?.modules[0]?.concepts[0]?.concept_id;
      const completed = await app.http
        .post(`/api/v1/roadmaps/${roadmapId}/concepts/${conceptId}/quiz/retry`)
        .set('Authorization', bearer(owner))
        .expect(400);
      expect(completed.body.code).toBe('item_not_retryable');
      const badKind = await app.http
        .post(`/api/v1/roadmaps/${roadmapId}/concepts/${conceptId}/poem/retry`)
        .set('Authorization', bearer(owner))
        .expect(400);
      expect(badKind.body.code).toBe('invalid_input');
      await app.http
        .post(`/api/v1/roadmaps/${roadmapId}/concepts/s99-m1-c1/quiz/retry`)
        .set('Authorization', bearer(owner))
        .expect(404);
    });

    it('GET /roadmap/{id}/cover-image answers the cover; its image is served publicly with a long cache', async () => {
      const response = await app.http
        .get(`/api/v1/roadmap/${roadmapId}/cover-image`)
        .set('Authorization', bearer(owner))
        .expect(200);
      expect(response.body).toEqual({
        roadmap_id: roadmapId,
        cover_image_url: expect.stringMatching(/^\/api\/v1\/cover-images\//),
        status: 'success',
        error: null,
        retry_count: 0,
      });
      // The default offline artwork is SVG: served as such, unsniffable and unable to run script or load anything.
      const image = await app.http.get(response.body.cover_image_url).buffer(true).expect(200);
      expect(image.headers['content-type']).toBe('image/svg+xml');
      expect(image.headers['cache-control']).toContain('max-age=31536000');
      expect(image.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(image.headers['x-content-type-options']).toBe('nosniff');
      expect(image.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
      expect(Buffer.from(image.body).toString('utf8')).toMatch(
        /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+"/,
      );
      await app.http.get('/api/v1/cover-images/no-such-image.png').expect(404);
      await app.http.get('/api/v1/cover-images/..%2F..%2Fetc%2Fpasswd').expect(400);
      await app.http.get('/api/v1/cover-images/%E0%A4%A').expect(400);
    });

    it('POST /roadmap/{id}/cover-image/generate answers 202 with a pending or generating cover', async () => {
      const response = await app.http
        .post(`/api/v1/roadmap/${roadmapId}/cover-image/generate`)
        .set('Authorization', bearer(owner))
        .expect(202);
      expect(response.body).toMatchObject({ roadmap_id: roadmapId });
      expect(['pending', 'generating']).toContain(response.body.status);
      await waitForCover(app.engine, roadmapId);
      await app.http
        .post('/api/v1/roadmap/learn-nothing-00000000/cover-image/generate')
        .set('Authorization', bearer(owner))
        .expect(404);
    });

    it('PUT /roadmap/{id}/cover-image: PNG bytes 200 success; text 400; over 2 MB 413; no image type 400', async () => {
      await waitForCover(app.engine, roadmapId);
      const put = () => app.http.put(`/api/v1/roadmap/${roadmapId}/cover-image`).set('Authorization', bearer(owner));
      const uploaded = await put().set('Content-Type', 'image/png').send(pngBytes()).expect(200);
      expect(uploaded.body).toMatchObject({ roadmap_id: roadmapId, status: 'success', error: null });
      const image = await app.http.get(uploaded.body.cover_image_url).buffer(true).expect(200);
      expect(Buffer.compare(Buffer.from(image.body), pngBytes())).toBe(0);

      const text = await put()
        .set('Content-Type', 'image/png')
        .send(Buffer.from('definitely not an image'))
        .expect(400);
      expect(text.body.code).toBe('unsupported_media_type');
      const octets = await put().set('Content-Type', 'application/octet-stream').send(pngBytes()).expect(200);
      expect(octets.body.status).toBe('success');
      const tooLarge = await put()
        .set('Content-Type', 'image/png')
        .send(Buffer.alloc(2 * 1024 * 1024 + 1))
        .expect(413);
      expect(tooLarge.body.code).toBe('payload_too_large');
      const wrongType = await put().set('Content-Type', 'text/plain').send('hello').expect(400);
      expect(wrongType.body.code).toBe('unsupported_media_type');
      // An SVG is never accepted from a user, whatever it is sent as.
      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
      for (const contentType of ['image/svg+xml', 'application/octet-stream', 'image/png']) {
        const refused = await put().set('Content-Type', contentType).send(svg).expect(400);
        expect(refused.body.code).toBe('unsupported_media_type');
      }
      const after = await app.engine.covers.get(roadmapId);
      expect(after.cover_image_url).toBe(octets.body.cover_image_url);
    });

    it('POST /cover-images/batch-get answers covers in request order with not_found entries', async () => {
      const foreign = await app.generateAndFinish(otherUser);
      const ids = ['unknown-roadmap', roadmapId, foreign.roadmapId, roadmapId];
      const response = await app.http
        .post('/api/v1/cover-images/batch-get')
        .set('Authorization', bearer(owner))
        .send({ roadmap_ids: ids })
        .expect(200);
      expect(response.body.map((cover: { roadmap_id: string }) => cover.roadmap_id)).toEqual(ids);
      expect(response.body[0]).toEqual({ roadmap_id: 'unknown-roadmap', status: 'not_found', cover_image_url: null });
      expect(response.body[1]).toMatchObject({ status: 'success' });
      expect(response.body[2]).toEqual({ roadmap_id: foreign.roadmapId, status: 'not_found', cover_image_url: null });
      for (const body of [{}, { roadmap_ids: [] }, { roadmap_ids: Array(101).fill('x') }, { roadmap_ids: [1] }]) {
        const bad = await app.http
          .post('/api/v1/cover-images/batch-get')
          .set('Authorization', bearer(owner))
          .send(body)
          .expect(400);
        expect(bad.body.code).toBe('invalid_input');
      }
    });

    it('POST /cover-images/batch-generate triggers only not_started/failed covers and counts the rest', async () => {
      const second = await app.generateAndFinish(owner);
      await waitForCover(app.engine, second.roadmapId);
      await waitForCover(app.engine, roadmapId);
      // Make the second cover `failed`, so that exactly one is triggered.
      await app.storage.transitionCover(second.roadmapId, {
        from: ['success'],
        to: 'failed',
        patch: { error: 'boom' },
      });
      const response = await app.http
        .post('/api/v1/cover-images/batch-generate')
        .set('Authorization', bearer(owner))
        .send({ roadmap_ids: [roadmapId, second.roadmapId, 'unknown-roadmap'] })
        .expect(200);
      expect(response.body).toEqual({
        triggered: 1,
        skipped: 1,
        roadmap_ids: [second.roadmapId],
        not_found: ['unknown-roadmap'],
        message: 'Triggered 1 cover image generation tasks, skipped 1 already successful',
      });
      await waitForCover(app.engine, second.roadmapId);
    });
  });

  describe('item retry after a partial failure', () => {
    let app: TestApp;
    afterEach(() => app.close());

    it('POST /roadmaps/{id}/concepts/{concept_id}/{kind}/retry answers 202 and regenerates the item', async () => {
      const model = createScriptedModel({
        script: [{ operation: 'quiz', times: 2, fail: new RoadmapError('model_error', 'The quiz model broke.') }],
      });
      app = await createTestApp({ host, model });
      const { roadmapId, terminal } = await app.generateAndFinish(owner);
      expect(terminal.type).toBe('completed');
      const task = (await app.engine.listTasks({ userId: owner })).tasks[0];
      expect(task?.status).toBe('partial_failure');
      const failedConcept = task?.failed_concepts.concept_ids[0];
      expect(failedConcept).toBeDefined();
      // The concept says why its quiz failed (SPEC §9), beside the items that did not.
      const detail = await app.http
        .get(`/api/v1/roadmaps/${roadmapId}/concepts/${failedConcept}`)
        .set('Authorization', bearer(owner))
        .expect(200);
      expect(detail.body.concept.quiz_status).toBe('failed');
      expect(detail.body.item_errors).toEqual({
        tutorial: null,
        resources: null,
        quiz: expect.stringContaining('The quiz model broke.'),
      });

      await app.http
        .post(`/api/v1/roadmaps/${roadmapId}/concepts/${failedConcept}/quiz/retry`)
        .set('Authorization', bearer(otherUser))
        .expect(403);
      const response = await app.http
        .post(`/api/v1/roadmaps/${roadmapId}/concepts/${failedConcept}/quiz/retry`)
        .set('Authorization', bearer(owner))
        .expect(202);
      expect(response.body).toEqual({
        success: true,
        concept_id: failedConcept,
        content_type: 'quiz',
        task_id: task?.task_id,
        message: expect.any(String),
      });
    });
  });
});
