import type { AddressInfo } from 'node:net';
import type { Roadmap } from '@roadmap/core';
import { createScriptedModel } from '@roadmap/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, createTestApp, hosts, learnRust, otherUser, owner, type TestApp } from './routerTestSupport.js';

const conceptsOf = (roadmap: Roadmap) =>
  roadmap.stages.flatMap((stage) => stage.modules.flatMap((module) => module.concepts));

/** Reads an event stream's text until it holds a frame of `type`, then drops the connection. */
async function readUntilEvent(body: ReadableStream<Uint8Array>, type: string): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (!text.includes(`event: ${type}\n`)) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel();
  }
  return text;
}

describe.each(hosts)('data lifecycle routes on the %s host (SPEC §9)', (host) => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('DELETE /roadmaps/tasks/{id} cancels a running task (its model calls aborted), answers 204, and the task is gone from every route; the user stream gets one deleted event', async () => {
    const model = createScriptedModel({ script: [{ operation: 'quiz', hang: true }] });
    app = await createTestApp({ host, model });
    const { http, engine } = app;
    const created = await http.post('/api/v1/roadmaps/generate').set('Authorization', bearer(owner)).send(learnRust);
    const { task_id: taskId, roadmap_id: roadmapId } = created.body as { task_id: string; roadmap_id: string };
    await model.waitForCalls(1, { operation: 'quiz' });
    const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1`;
    const since = (await engine.listEvents({ userId: owner })).at(-1)?.seq ?? 0;
    const stream = await fetch(`${baseUrl}/events?since=${since}`, { headers: { authorization: bearer(owner) } });
    expect(stream.status).toBe(200);

    await http.delete(`/api/v1/roadmaps/tasks/${taskId}`).set('Authorization', bearer(otherUser)).expect(403);
    const answer = await http.delete(`/api/v1/roadmaps/tasks/${taskId}`).set('Authorization', bearer(owner));
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');

    expect(model.inFlight).toEqual([]);
    expect(model.aborts.length).toBeGreaterThan(0);
    await http.get(`/api/v1/roadmaps/tasks/${taskId}`).set('Authorization', bearer(owner)).expect(404);
    await http.get(`/api/v1/roadmaps/${roadmapId}`).set('Authorization', bearer(owner)).expect(404);
    await http.get(`/api/v1/roadmap/${roadmapId}/cover-image`).set('Authorization', bearer(owner)).expect(404);
    const list = await http.get('/api/v1/roadmaps/tasks').set('Authorization', bearer(owner)).expect(200);
    expect(list.body).toMatchObject({ tasks: [], total: 0, cancelled_count: 0 });
    const roadmaps = await http.get('/api/v1/roadmaps').set('Authorization', bearer(owner)).expect(200);
    expect(roadmaps.body.roadmaps).toEqual([]);
    await http.delete(`/api/v1/roadmaps/tasks/${taskId}`).set('Authorization', bearer(owner)).expect(404);

    // Live: the deleted event (the only trace, also in a replay of the user stream; the cancel before it may be
    // gone from the log before a stream reads it).
    const text = await readUntilEvent(stream.body as ReadableStream<Uint8Array>, 'deleted');
    expect(text).toContain(`"type":"deleted","task_id":"${taskId}"`);
    const replay = await engine.listEvents({ userId: owner });
    expect(replay).toEqual([expect.objectContaining({ type: 'deleted', task_id: taskId, roadmap_id: roadmapId })]);
    // The task's own stream has nothing left to show: the task is unknown.
    const own = await fetch(`${baseUrl}/roadmaps/tasks/${taskId}/events?since=0`, {
      headers: { authorization: bearer(owner) },
    });
    expect(own.status).toBe(404);
    await own.body?.cancel();
    expect(app.serverErrors).toEqual([]);
  });

  it('GET /roadmaps/{id}/export downloads Markdown naming every concept, or JSON; 400 for a bad format, 403 and 404 as reads', async () => {
    app = await createTestApp({ host });
    const { http, engine } = app;
    const { roadmapId } = await app.generateAndFinish(owner);
    const roadmap = await engine.getRoadmap(roadmapId);
    if (!roadmap) throw new Error('The roadmap was not stored');

    const markdown = await http
      .get(`/api/v1/roadmaps/${roadmapId}/export?format=md`)
      .set('Authorization', bearer(owner))
      .buffer(true)
      .parse((response, done) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on('end', () => done(null, text));
      })
      .expect(200);
    expect(markdown.headers['content-type']).toMatch(/^text\/markdown/);
    expect(markdown.headers['content-disposition']).toBe(
      `attachment; filename="${roadmapId}.md"; filename*=UTF-8''${roadmapId}.md`,
    );
    for (const concept of conceptsOf(roadmap)) expect(markdown.body).toContain(concept.name);

    const json = await http
      .get(`/api/v1/roadmaps/${roadmapId}/export?format=json`)
      .set('Authorization', bearer(owner))
      .expect(200);
    expect(json.headers['content-disposition']).toContain(`filename="${roadmapId}.json"`);
    expect(json.body.roadmap.roadmap_id).toBe(roadmapId);
    expect(json.body.concepts).toHaveLength(conceptsOf(roadmap).length);
    // Without a format: Markdown.
    const plain = await http.get(`/api/v1/roadmaps/${roadmapId}/export`).set('Authorization', bearer(owner));
    expect(plain.headers['content-type']).toMatch(/^text\/markdown/);

    for (const query of ['format=pdf', 'format=md&format=json', 'format=']) {
      const refused = await http
        .get(`/api/v1/roadmaps/${roadmapId}/export?${query}`)
        .set('Authorization', bearer(owner))
        .expect(400);
      expect(refused.body).toMatchObject({ code: 'invalid_input', errors: [{ path: 'format' }] });
    }
    await http.get(`/api/v1/roadmaps/${roadmapId}/export`).set('Authorization', bearer(otherUser)).expect(403);
    await http.get('/api/v1/roadmaps/learn-nothing-00000000/export').set('Authorization', bearer(owner)).expect(404);
    await http.get(`/api/v1/roadmaps/${roadmapId}/export`).expect(401);
    expect(app.serverErrors).toEqual([]);
  });

  it("GET /me/export answers everything of the caller and nothing of anyone else's", async () => {
    app = await createTestApp({ host });
    const { http } = app;
    const mine = await app.generateAndFinish(owner);
    const theirs = await app.generateAndFinish(otherUser);

    const exported = await http.get('/api/v1/me/export').set('Authorization', bearer(owner)).expect(200);
    expect(exported.body.user_id).toBe(owner);
    expect(exported.body.tasks.map((task: { task_id: string }) => task.task_id)).toEqual([mine.taskId]);
    expect(
      exported.body.roadmaps.map((entry: { roadmap: { roadmap_id: string } }) => entry.roadmap.roadmap_id),
    ).toEqual([mine.roadmapId]);
    expect(JSON.stringify(exported.body)).not.toContain(theirs.taskId);
    expect(exported.body.usage).toMatchObject({ calls: expect.any(Number) });
  });

  it("DELETE /me erases the caller's tasks, roadmaps, events and covers (202 with the counts), repeats with zeros, and leaves another user's data", async () => {
    app = await createTestApp({ host });
    const { http, engine } = app;
    await app.generateAndFinish(owner);
    await app.generateAndFinish(owner);
    const theirs = await app.generateAndFinish(otherUser);

    const erased = await http.delete('/api/v1/me').set('Authorization', bearer(owner)).expect(202);
    expect(erased.body).toEqual({
      deleted: {
        tasks: 2,
        roadmaps: 2,
        items: expect.any(Number),
        events: expect.any(Number),
        covers: expect.any(Number),
        blobs: expect.any(Number),
      },
    });
    expect(erased.body.deleted.items).toBeGreaterThan(0);
    expect(erased.body.deleted.events).toBeGreaterThan(0);
    const list = await http.get('/api/v1/roadmaps/tasks').set('Authorization', bearer(owner)).expect(200);
    expect(list.body.total).toBe(0);
    expect(await engine.listEvents({ userId: owner })).toEqual([]);
    const exported = await http.get('/api/v1/me/export').set('Authorization', bearer(owner)).expect(200);
    expect(exported.body).toMatchObject({ tasks: [], roadmaps: [] });

    const again = await http.delete('/api/v1/me').set('Authorization', bearer(owner)).expect(202);
    expect(again.body).toEqual({ deleted: { tasks: 0, roadmaps: 0, items: 0, events: 0, covers: 0, blobs: 0 } });
    expect(await engine.getTask(theirs.taskId)).toMatchObject({ status: 'completed' });
    await http.delete('/api/v1/me').expect(401);
    expect(app.serverErrors).toEqual([]);
  });
});
