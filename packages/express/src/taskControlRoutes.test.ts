import { nextEvent, terminalEvent } from '@roadmap/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, createTestApp, hosts, learnRust, otherUser, owner, type TestApp } from './routerTestSupport.js';

describe.each(hosts)('on the %s host', (host) => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  describe('review, pause and resume routes (SPEC §7)', () => {
    it('review: generate with review_before_content → GET the proposal → request changes → approve → completed', async () => {
      app = await createTestApp({ host });
      const { engine, http } = app;
      let requested = nextEvent(engine, 'review_requested');
      const created = await http
        .post('/api/v1/roadmaps/generate')
        .set('Authorization', bearer(owner))
        .send({ ...learnRust, review_before_content: true })
        .expect(202);
      const taskId: string = created.body.task_id;
      await requested;

      const task = await http.get(`/api/v1/roadmaps/tasks/${taskId}`).set('Authorization', bearer(owner)).expect(200);
      expect(task.body).toMatchObject({
        status: 'human_review_pending',
        current_step: 'human_review',
        review_round: 1,
      });
      const proposal = await http
        .get(`/api/v1/roadmaps/tasks/${taskId}/review`)
        .set('Authorization', bearer(owner))
        .expect(200);
      expect(proposal.body).toMatchObject({ task_id: taskId, round: 1, max_rounds: 5 });
      expect(proposal.body.proposal.stages.length).toBeGreaterThan(0);

      await http
        .post(`/api/v1/roadmaps/tasks/${taskId}/review`)
        .set('Authorization', bearer(owner))
        .send({ approved: false })
        .expect(400);
      requested = nextEvent(engine, 'review_requested');
      const changes = await http
        .post(`/api/v1/roadmaps/tasks/${taskId}/review`)
        .set('Authorization', bearer(owner))
        .send({ approved: false, feedback: 'Add a capstone project' })
        .expect(202);
      expect(changes.body).toEqual({ task_id: taskId, status: 'processing' });
      expect(await requested).toMatchObject({ round: 2 });
      const revised = await http
        .get(`/api/v1/roadmaps/tasks/${taskId}/review`)
        .set('Authorization', bearer(owner))
        .expect(200);
      expect(revised.body.round).toBe(2);
      expect(JSON.stringify(revised.body.proposal)).toContain('Add a capstone project');

      await http
        .post(`/api/v1/roadmaps/tasks/${taskId}/review`)
        .set('Authorization', bearer(otherUser))
        .send({ approved: true })
        .expect(403);
      await http
        .post(`/api/v1/roadmaps/tasks/${taskId}/review`)
        .set('Authorization', bearer(owner))
        .send({ approved: true })
        .expect(202);
      expect(await terminalEvent(engine, taskId)).toMatchObject({ type: 'completed' });
      const again = await http
        .post(`/api/v1/roadmaps/tasks/${taskId}/review`)
        .set('Authorization', bearer(owner))
        .send({ approved: true })
        .expect(400);
      expect(again.body.code).toBe('task_not_in_review');
      expect(app.serverErrors).toEqual([]);
    });

    it('pause and resume a pending task; bad bodies and wrong states answer 400 with a code', async () => {
      app = await createTestApp({ host, worker: false });
      const { http } = app;
      const created = await http
        .post('/api/v1/roadmaps/generate')
        .set('Authorization', bearer(owner))
        .send(learnRust)
        .expect(202);
      const taskId: string = created.body.task_id;
      const path = `/api/v1/roadmaps/tasks/${taskId}`;

      const resumeEarly = await http.post(`${path}/resume`).set('Authorization', bearer(owner)).expect(400);
      expect(resumeEarly.body.code).toBe('task_not_paused');
      const bad = await http
        .post(`${path}/pause`)
        .set('Authorization', bearer(owner))
        .send({ abort_in_flight: 'yes' })
        .expect(400);
      expect(bad.body.errors).toEqual([{ path: 'abort_in_flight', message: 'must be a boolean' }]);

      const paused = await http.post(`${path}/pause`).set('Authorization', bearer(owner)).send({}).expect(200);
      expect(paused.body).toEqual({ task_id: taskId, status: 'paused', previous_status: 'pending' });
      const listed = await http.get(`${path}`).set('Authorization', bearer(owner)).expect(200);
      expect(listed.body).toMatchObject({ status: 'paused', pause_reason: 'user' });
      const filtered = await http
        .get('/api/v1/roadmaps/tasks?status=paused')
        .set('Authorization', bearer(owner))
        .expect(200);
      expect(filtered.body.tasks.map((task: { task_id: string }) => task.task_id)).toEqual([taskId]);

      const resumed = await http.post(`${path}/resume`).set('Authorization', bearer(owner)).expect(202);
      expect(resumed.body).toEqual({ task_id: taskId, status: 'pending' });
      const review = await http.get(`${path}/review`).set('Authorization', bearer(owner)).expect(400);
      expect(review.body.code).toBe('task_not_in_review');
      expect(app.serverErrors).toEqual([]);
    });
  });

  describe('regenerate, versions and restore routes (SPEC §7)', () => {
    it('regenerate → 202 with the version; versions list both; restore → 200; bad feedback and version → 400', async () => {
      app = await createTestApp({ host });
      const { engine, http } = app;
      const { taskId, roadmapId } = await app.generateAndFinish(owner);
      const roadmap = await engine.getRoadmap(roadmapId);
      const conceptId = roadmap?.stages[0]?.modules[0]?.concepts[0]?.concept_id as string;
      const base = `/api/v1/roadmaps/${roadmapId}/concepts/${conceptId}/quiz`;
      const seq = (await engine.listEvents({ taskId })).at(-1)?.seq ?? 0;

      const bad = await http.post(`${base}/regenerate`).set('Authorization', bearer(owner)).send({}).expect(400);
      expect(bad.body.errors).toEqual([{ path: 'feedback', message: 'must be a string of 1 to 2000 characters' }]);
      const started = await http
        .post(`${base}/regenerate`)
        .set('Authorization', bearer(owner))
        .send({ feedback: 'Harder questions' })
        .expect(202);
      expect(started.body).toEqual({
        success: true,
        concept_id: conceptId,
        content_type: 'quiz',
        task_id: taskId,
        version: 2,
        message: expect.any(String),
      });
      expect(await terminalEvent(engine, taskId, seq)).toMatchObject({ type: 'completed' });

      const listed = await http.get(`${base}/versions`).set('Authorization', bearer(owner)).expect(200);
      expect(
        listed.body.versions.map((entry: { version: number; feedback: string | null; current: boolean }) => [
          entry.version,
          entry.feedback,
          entry.current,
        ]),
      ).toEqual([
        [1, null, false],
        [2, 'Harder questions', true],
      ]);
      await http.get(`${base}/versions`).set('Authorization', bearer(otherUser)).expect(403);

      const restored = await http.post(`${base}/versions/1/restore`).set('Authorization', bearer(owner)).expect(200);
      expect(restored.body).toEqual({ concept_id: conceptId, content_type: 'quiz', version: 1 });
      await http.post(`${base}/versions/0/restore`).set('Authorization', bearer(owner)).expect(400);
      await http.post(`${base}/versions/9/restore`).set('Authorization', bearer(owner)).expect(404);
      const after = await http.get(`${base}/versions`).set('Authorization', bearer(owner)).expect(200);
      expect(after.body.versions.map((entry: { current: boolean }) => entry.current)).toEqual([true, false]);
      expect(app.serverErrors).toEqual([]);
    });
  });
});
