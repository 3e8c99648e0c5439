import { nextEvent, terminalEvent } from '@roadmap/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, createTestApp, hosts, learnRust, owner, type TestApp } from './routerTestSupport.js';

describe.each(hosts)('on the %s host', (host) => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  describe('budgets over HTTP (SPEC §7)', () => {
    it('402 budget_exceeded on generate once the period budget has nothing left; nothing is created', async () => {
      app = await createTestApp({ host, engine: { userBudgetUsd: 0, budgetPeriod: 'day' } });
      const refused = await app.http
        .post('/api/v1/roadmaps/generate')
        .set('Authorization', bearer(owner))
        .send(learnRust)
        .expect(402);
      expect(refused.body).toEqual({ detail: expect.stringMatching(/nothing left/), code: 'budget_exceeded' });
      const usage = await app.http.get('/api/v1/usage').set('Authorization', bearer(owner)).expect(200);
      expect(usage.body).toMatchObject({ budget_usd: 0, spent_usd: 0, reserved_usd: 0 });
      const tasks = await app.http.get('/api/v1/roadmaps/tasks').set('Authorization', bearer(owner)).expect(200);
      expect(tasks.body.tasks).toEqual([]);
      expect(app.serverErrors).toEqual([]);
    });

    it('a task with budget_usd pauses on budget, and resumes to completion when the resume raises it', async () => {
      app = await createTestApp({ host });
      const { engine, http } = app;
      const badBudget = await http
        .post('/api/v1/roadmaps/generate')
        .set('Authorization', bearer(owner))
        .send({ ...learnRust, budget_usd: -1 })
        .expect(400);
      expect(badBudget.body.errors).toEqual([{ path: 'budget_usd', message: expect.any(String) }]);

      const paused = nextEvent(engine, 'paused');
      // The demo model's first call may cost up to about $0.003: a budget of $0.001 stops the task before it.
      const created = await http
        .post('/api/v1/roadmaps/generate')
        .set('Authorization', bearer(owner))
        .send({ ...learnRust, budget_usd: 0.001 })
        .expect(202);
      const taskId: string = created.body.task_id;
      expect(await paused).toMatchObject({ task_id: taskId, reason: 'budget' });
      const path = `/api/v1/roadmaps/tasks/${taskId}`;
      const task = await http.get(path).set('Authorization', bearer(owner)).expect(200);
      expect(task.body).toMatchObject({ status: 'paused', pause_reason: 'budget', budget_usd: 0.001 });
      expect(task.body.usage.calls).toBe(0);

      for (const body of [{ budget_usd: 'more' }, { budget_usd: 0 }, [1]]) {
        const refused = await http.post(`${path}/resume`).set('Authorization', bearer(owner)).send(body).expect(400);
        expect(refused.body.code).toBe('invalid_input');
      }
      const resumed = await http
        .post(`${path}/resume`)
        .set('Authorization', bearer(owner))
        .send({ budget_usd: 5 })
        .expect(202);
      expect(resumed.body).toEqual({ task_id: taskId, status: 'pending' });
      expect(await terminalEvent(engine, taskId)).toMatchObject({ type: 'completed' });
      const done = await http.get(path).set('Authorization', bearer(owner)).expect(200);
      expect(done.body).toMatchObject({ status: 'completed', budget_usd: 5, pause_reason: null });
      expect(done.body.usage.cost_usd).toBeGreaterThan(0);
      expect(done.body.usage.cost_usd).toBeLessThanOrEqual(5);
      expect(app.serverErrors).toEqual([]);
    });
  });
});
