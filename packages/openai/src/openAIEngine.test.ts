import {
  type BlobStore,
  type Cover,
  createDemoModel,
  createMemoryQueue,
  createMemoryStorage,
  demoResponse,
  type LanguageModel,
  type ModelRequest,
  RoadmapEngine,
  type RoadmapEvent,
} from '@roadmap/core';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apiError,
  type ChatRequestBody,
  chatCompletion,
  chatCompletionsURL,
  imageGenerationsURL,
  imagesResponse,
  pngBytes,
} from './openAIFixtures.js';
import { createOpenAIImageProvider } from './openAIImageProvider.js';
import { createOpenAIModel } from './openAIModel.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const engines: RoadmapEngine[] = [];
const base64Png = Buffer.from(pngBytes).toString('base64');
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

/**
 * The msw "server" answers with the offline demo content for the request the engine made. HTTP carries only the
 * prompt, so the model is wrapped to note which request each prompt belongs to; everything between the engine and
 * the wire is the real adapter.
 */
function withRequestLog(model: LanguageModel, requests: Map<string, ModelRequest>): LanguageModel {
  return {
    specificationVersion: model.specificationVersion,
    provider: model.provider,
    modelId: model.modelId,
    generate(request) {
      requests.set(request.prompt, request);
      return model.generate(request);
    },
  };
}

/** Blobs in a map, served from `memory://`. */
function mapBlobStore(blobs: Map<string, { data: Uint8Array; contentType: string }>): BlobStore {
  return {
    specificationVersion: 'v1',
    async put(key, data, options) {
      blobs.set(key, { data, contentType: options.contentType });
      return { url: `memory://${key}` };
    },
    async get(key) {
      return blobs.get(key) ?? null;
    },
    async delete(key) {
      blobs.delete(key);
    },
  };
}

async function settledCover(engine: RoadmapEngine, roadmapId: string): Promise<Cover> {
  for (let attempt = 0; ; attempt += 1) {
    const cover = await engine.covers.get(roadmapId);
    if (cover.status === 'success' || cover.status === 'failed' || attempt >= 200) return cover;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function terminalEventOf(engine: RoadmapEngine): (taskId: string) => Promise<RoadmapEvent> {
  const events: RoadmapEvent[] = [];
  const waiters: Array<() => void> = [];
  engine.subscribe((event) => {
    events.push(event);
    for (const waiter of waiters.splice(0)) waiter();
  });
  return async (taskId) => {
    for (;;) {
      const found = events.find(
        (event) =>
          event.task_id === taskId &&
          (event.type === 'completed' || event.type === 'failed' || event.type === 'cancelled'),
      );
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
}

describe('createOpenAIModel inside a RoadmapEngine', () => {
  it('runs a whole task to completed over HTTP, through a 429 and a malformed answer', async () => {
    const requests = new Map<string, ModelRequest>();
    const bodies: ChatRequestBody[] = [];
    let rateLimited = false;
    let malformed = false;
    server.use(
      http.post(chatCompletionsURL, async ({ request }) => {
        const body = (await request.json()) as ChatRequestBody;
        bodies.push(body);
        const prompt = body.messages.find((message) => message.role === 'user')?.content ?? '';
        const modelRequest = requests.get(prompt);
        if (!modelRequest) return apiError(400, 'Unknown prompt.');
        if (modelRequest.operation === 'curriculum_design' && !rateLimited) {
          rateLimited = true;
          return apiError(429, 'Rate limit reached for gpt-4o-mini.', { headers: { 'retry-after-ms': '20' } });
        }
        if (modelRequest.operation === 'tutorial' && !malformed) {
          malformed = true;
          return HttpResponse.json(chatCompletion('{"title": "cut short'));
        }
        return HttpResponse.json(chatCompletion(JSON.stringify(demoResponse(modelRequest))));
      }),
      http.post(imageGenerationsURL, () => HttpResponse.json(imagesResponse({ b64_json: base64Png }, 'png'))),
    );
    const usage: number[] = [];
    const model = createOpenAIModel({ apiKey: 'sk-test', onUsage: (used) => usage.push(used.inputTokens) });
    const engine = new RoadmapEngine({
      storage: createMemoryStorage(),
      queue: createMemoryQueue(),
      model: withRequestLog(model, requests),
      imageProvider: createOpenAIImageProvider({ apiKey: 'sk-test' }),
      blobStore: mapBlobStore(new Map()),
      retry: { retries: 2, minDelayMs: 5, maxDelayMs: 50 },
      onError: () => {},
    });
    engines.push(engine);
    const terminalEvent = terminalEventOf(engine);
    await engine.start();

    const { task } = await engine.generate({
      userId: 'user-1',
      request: { preferences: { learning_goal: 'Learn Go for backend services' } },
    });
    const done = await terminalEvent(task.task_id);

    expect(done.type).toBe('completed');
    const stored = await engine.getTask(task.task_id);
    expect(stored).toMatchObject({ status: 'completed', error_message: null });
    expect(stored?.progress.failed).toBe(0);
    expect(stored?.progress.completed).toBeGreaterThan(0);
    const roadmap = await engine.getRoadmap(task.roadmap_id);
    const firstConcept = roadmap?.stages[0]?.modules[0]?.concepts[0];
    expect(firstConcept).toBeDefined();
    const detail = await engine.getConcept(task.roadmap_id, firstConcept?.concept_id ?? '');
    expect(detail?.tutorial).not.toBeNull();
    expect(rateLimited && malformed).toBe(true);
    // Every call asked for a strict json_schema; the re-ask carried the rejected output.
    expect(bodies.every((body) => body.response_format?.type === 'json_schema')).toBe(true);
    expect(bodies.some((body) => body.messages.some((message) => message.content === '{"title": "cut short'))).toBe(
      true,
    );
    expect(usage.length).toBe(bodies.length - 1); // all but the 429
  });

  it('stores the cover createOpenAIImageProvider generated for the roadmap', async () => {
    const prompts: string[] = [];
    server.use(
      http.post(imageGenerationsURL, async ({ request }) => {
        prompts.push(((await request.json()) as { prompt: string }).prompt);
        return HttpResponse.json(imagesResponse({ b64_json: base64Png }, 'png'));
      }),
    );
    const blobs = new Map<string, { data: Uint8Array; contentType: string }>();
    const engine = new RoadmapEngine({
      storage: createMemoryStorage(),
      queue: createMemoryQueue(),
      model: createDemoModel({ latencyMs: 0 }),
      imageProvider: createOpenAIImageProvider({ apiKey: 'sk-test' }),
      blobStore: mapBlobStore(blobs),
      onError: () => {},
    });
    engines.push(engine);
    const terminalEvent = terminalEventOf(engine);
    await engine.start();

    const { task } = await engine.generate({
      userId: 'user-1',
      request: { preferences: { learning_goal: 'Learn Go for backend services' } },
    });
    await terminalEvent(task.task_id);
    const cover = await settledCover(engine, task.roadmap_id);

    expect(cover).toMatchObject({ roadmap_id: task.roadmap_id, status: 'success' });
    expect(prompts).toHaveLength(1);
    expect([...blobs.values()]).toEqual([{ data: pngBytes, contentType: 'image/png' }]);
  });
});
