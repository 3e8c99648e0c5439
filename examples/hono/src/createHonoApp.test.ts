import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import {
  createDemoModel,
  createMemoryBlobStore,
  createMemoryQueue,
  createMemoryStorage,
  createOfflineImageProvider,
  type LanguageModel,
  RoadmapEngine,
} from '@roadmap/core';
import { terminalEvent } from '@roadmap/core/testing';
import { createJwtAuthenticator, signJwt } from '@roadmap/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHonoApp } from './createHonoApp.js';

/**
 * The fetch handler mounted on Hono, served by @hono/node-server on a real port: one request (or a few) per route
 * family — generate, task list, task, cancel, roadmaps, concept, covers, the user's event stream.
 */

const secret = 'hono-test-secret-0123456789-0123456789';
/** A goal whose roadmap never finishes on its own: its model calls wait until the task is cancelled. */
const heldGoal = 'Learn Haskell, held until cancelled';

const demoModel = createDemoModel({ latencyMs: 0 });
const model: LanguageModel = {
  specificationVersion: 'v1',
  provider: demoModel.provider,
  modelId: demoModel.modelId,
  generate: (request) =>
    request.prompt.includes(heldGoal)
      ? new Promise((_resolve, reject) =>
          request.abortSignal.addEventListener('abort', () => reject(request.abortSignal.reason), { once: true }),
        )
      : demoModel.generate(request),
};

let engine: RoadmapEngine;
let server: ServerType;
/** Roadmaps whose cover has been stored (`cover_updated` with `success`), and who waits for the next one. */
const coveredRoadmaps = new Set<string>();
let onCoverStored = () => {};

/** Resolves once the roadmap's cover is stored, from the engine's events. */
async function coverStored(roadmapId: string): Promise<void> {
  while (!coveredRoadmaps.has(roadmapId)) {
    await new Promise<void>((resolve) => {
      onCoverStored = resolve;
    });
  }
}
let baseUrl = '';
const token = signJwt({ sub: 'hono-user' }, secret);

async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

const generateBody = (goal: string) => ({
  preferences: { learning_goal: goal, available_hours_per_week: 8, current_level: 'beginner' },
});

describe('createHonoApp (Hono on @hono/node-server, real port)', () => {
  beforeAll(async () => {
    engine = new RoadmapEngine({
      storage: createMemoryStorage(),
      queue: createMemoryQueue(),
      model,
      imageProvider: createOfflineImageProvider(),
      blobStore: createMemoryBlobStore(),
    });
    engine.subscribe((event) => {
      if (event.type !== 'cover_updated' || event.status !== 'success') return;
      coveredRoadmaps.add(event.roadmap_id);
      onCoverStored();
    });
    await engine.start();
    const app = createHonoApp(engine, { authenticate: createJwtAuthenticator({ secret }) });
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await engine.stop();
  });

  let taskId = '';
  let roadmapId = '';

  it('generates a roadmap (202) and it completes', async () => {
    const generated = await call<{ task_id: string; roadmap_id: string; status: string }>(
      'POST',
      '/roadmaps/generate',
      generateBody('Learn Rust for systems programming'),
    );
    expect(generated.status).toBe(202);
    taskId = generated.body.task_id;
    roadmapId = generated.body.roadmap_id;
    expect((await terminalEvent(engine, taskId)).type).toBe('completed');
  });

  it('lists the tasks and reads one', async () => {
    const list = await call<{ tasks: { task_id: string }[]; completed_count: number }>('GET', '/roadmaps/tasks');
    expect(list.status).toBe(200);
    expect(list.body.tasks.map((task) => task.task_id)).toEqual([taskId]);
    expect(list.body.completed_count).toBe(1);
    const task = await call<{ task_id: string; status: string }>('GET', `/roadmaps/tasks/${taskId}`);
    expect(task).toMatchObject({ status: 200, body: { task_id: taskId, status: 'completed' } });
  });

  it('lists the roadmaps, reads one and a concept of it', async () => {
    const roadmaps = await call<{ roadmaps: { roadmap_id: string }[] }>('GET', '/roadmaps');
    expect(roadmaps.status).toBe(200);
    expect(roadmaps.body.roadmaps.map((roadmap) => roadmap.roadmap_id)).toEqual([roadmapId]);
    const roadmap = await call<{ stages: { modules: { concepts: { concept_id: string }[] }[] }[] }>(
      'GET',
      `/roadmaps/${roadmapId}`,
    );
    expect(roadmap.status).toBe(200);
    const conceptId = roadmap.body.stages[0]?.modules[0]?.concepts[0]?.concept_id ?? '';
    const concept = await call<{ tutorial: unknown; quiz: unknown }>(
      'GET',
      `/roadmaps/${roadmapId}/concepts/${conceptId}`,
    );
    expect(concept.status).toBe(200);
    expect(concept.body.tutorial).not.toBeNull();
    expect(concept.body.quiz).not.toBeNull();
  });

  it('serves the cover: its record, the batch read and the image bytes', async () => {
    await coverStored(roadmapId);
    const cover = await call<{ status: string; cover_image_url: string }>('GET', `/roadmap/${roadmapId}/cover-image`);
    expect(cover).toMatchObject({ status: 200, body: { status: 'success' } });
    const batch = await call<{ roadmap_id: string; status: string }[]>('POST', '/cover-images/batch-get', {
      roadmap_ids: [roadmapId, 'unknown-roadmap'],
    });
    expect(batch.status).toBe(200);
    expect(batch.body.map((entry) => entry.roadmap_id)).toEqual([roadmapId, 'unknown-roadmap']);
    expect(batch.body[1]?.status).toBe('not_found');
    const image = await fetch(`${baseUrl}${cover.body.cover_image_url}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toMatch(/^image\//);
    expect((await image.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('cancels a running task', async () => {
    const generated = await call<{ task_id: string }>('POST', '/roadmaps/generate', generateBody(heldGoal));
    const cancelled = await call<{ success: boolean; previous_status: string }>(
      'POST',
      `/roadmaps/tasks/${generated.body.task_id}/cancel`,
      { reason: 'changed my mind' },
    );
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.success).toBe(true);
    expect(['pending', 'processing']).toContain(cancelled.body.previous_status);
    expect((await terminalEvent(engine, generated.body.task_id)).type).toBe('cancelled');
  });

  it("streams the user's events over SSE: the first frame is `connected`", async () => {
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}/api/v1/events?token=${token}`, { signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (response.body ?? new ReadableStream<Uint8Array>()).getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!/\n\n/.test(text.replace(/^:[^\n]*\n/gm, ''))) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    controller.abort();
    const frame = text.replace(/^:[^\n]*\n/gm, '').split('\n\n')[0] ?? '';
    expect(frame).toMatch(/^id: \d+$/m);
    expect(frame).toMatch(/^event: connected$/m);
    const data = JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? '{}') as { type?: string };
    expect(data.type).toBe('connected');
  });

  it('answers 401 without a token and 404 outside the route table, through Hono', async () => {
    expect((await fetch(`${baseUrl}/api/v1/roadmaps/tasks`)).status).toBe(401);
    expect((await fetch(`${baseUrl}/api/v1/no-such-route`)).status).toBe(404);
    expect(await (await fetch(`${baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });
  });
});
