import { createDemoModel } from '@roadmap/core';
import { nextEvent, terminalEvent } from '@roadmap/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, createTestApp, hosts, learnRust, owner, type TestApp } from './routerTestSupport.js';

describe.each(hosts)('on the %s host', (host) => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  describe('streaming tutorials over HTTP (SPEC §7)', () => {
    it('GET a concept while its tutorial streams answers the text so far as partial_tutorial, then the tutorial', async () => {
      // 400 ms a call: a tutorial streams for 400 ms, its first text after about 120 ms.
      app = await createTestApp({ host, model: createDemoModel({ latencyMs: 400 }) });
      const { engine, http } = app;
      const firstDelta = nextEvent(engine, 'content_delta');
      const created = await http
        .post('/api/v1/roadmaps/generate')
        .set('Authorization', bearer(owner))
        .send(learnRust)
        .expect(202);
      const delta = await firstDelta;
      const path = `/api/v1/roadmaps/${delta.roadmap_id}/concepts/${delta.concept_id}`;
      const streaming = await http.get(path).set('Authorization', bearer(owner)).expect(200);
      expect(streaming.body.tutorial).toBeNull();
      expect(streaming.body.partial_tutorial).toMatchObject({ status: 'generating' });
      expect(streaming.body.partial_tutorial.content.startsWith(delta.text)).toBe(true);

      // Its tutorial done, the concept answers it whole (the rest of the task is not needed: cancelled).
      await new Promise<void>((resolve) => {
        const stop = engine.on('concept_complete', (event) => {
          if (event.concept_id !== delta.concept_id || event.content_type !== 'tutorial') return;
          stop();
          resolve();
        });
      });
      const complete = await http.get(path).set('Authorization', bearer(owner)).expect(200);
      expect(complete.body.partial_tutorial).toBeNull();
      expect(complete.body.tutorial.content.startsWith(streaming.body.partial_tutorial.content)).toBe(true);
      await engine.cancel(created.body.task_id);
      expect(await terminalEvent(engine, created.body.task_id)).toMatchObject({ type: 'cancelled' });
      expect(app.serverErrors).toEqual([]);
    }, 60_000);
  });
});
