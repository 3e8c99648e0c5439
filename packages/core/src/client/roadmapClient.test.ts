import { delay, HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRoadmapClient, RoadmapApiError, type RoadmapClient } from './index.js';
import type { Cover, Task, TaskListResponse } from './wireTypes.js';

const base = 'https://app.example.com';
const api = `${base}/api/v1`;
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Seen {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

/** Answers one route with `status` + `json` and records what the client sent. */
function route(method: 'get' | 'post' | 'put', path: string, status: number, json: unknown): Seen[] {
  const seen: Seen[] = [];
  server.use(
    http[method](`${api}${path}`, async ({ request }) => {
      seen.push({
        method: request.method,
        url: new URL(request.url),
        headers: request.headers,
        body: await request.text(),
      });
      return HttpResponse.json(json as Record<string, unknown>, { status });
    }),
  );
  return seen;
}

const progress = { completed: 0, failed: 0, total: 0, percentage: 0 };
const cover: Cover = {
  roadmap_id: 'learn-rust-1a2b3c4d',
  cover_image_url: null,
  status: 'pending',
  error: null,
  retry_count: 0,
};
const task: Task = {
  task_id: 't-1',
  user_id: 'u-1',
  roadmap_id: 'learn-rust-1a2b3c4d',
  title: 'Learn Rust',
  status: 'processing',
  current_step: 'curriculum_design',
  progress,
  error_message: null,
  failed_concepts: { count: 0, concept_ids: [] },
  cancel_reason: null,
  pause_reason: null,
  review_round: 0,
  usage: { calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 },
  budget_usd: null,
  attempts: 1,
  created_at: '2025-01-01T00:00:00.000Z',
  updated_at: '2025-01-01T00:00:00.000Z',
  completed_at: null,
};

describe('createRoadmapClient routes', () => {
  const client = createRoadmapClient({ baseUrl: `${base}/`, token: 'jwt-1' });

  const cases: Array<{
    name: string;
    call: (client: RoadmapClient) => Promise<unknown>;
    method: 'get' | 'post' | 'put';
    path: string;
    status: number;
    response: unknown;
    body?: unknown;
  }> = [
    {
      name: 'listTasks',
      call: (c) => c.listTasks(),
      method: 'get',
      path: '/roadmaps/tasks',
      status: 200,
      response: {
        tasks: [],
        total: 0,
        pending_count: 0,
        processing_count: 0,
        completed_count: 0,
        failed_count: 0,
        cancelled_count: 0,
      } satisfies TaskListResponse,
    },
    {
      name: 'getTask',
      call: (c) => c.getTask('t-1'),
      method: 'get',
      path: '/roadmaps/tasks/t-1',
      status: 200,
      response: task,
    },
    {
      name: 'getTaskStatus',
      call: (c) => c.getTaskStatus('t-1'),
      method: 'get',
      path: '/roadmaps/t-1/status',
      status: 200,
      response: {
        task_id: 't-1',
        status: 'pending',
        current_step: 'queued',
        roadmap_id: 'r',
        created_at: '',
        updated_at: '',
        error_message: null,
      },
    },
    {
      name: 'cancelTask without reason',
      call: (c) => c.cancelTask('t-1'),
      method: 'post',
      path: '/roadmaps/tasks/t-1/cancel',
      status: 200,
      response: { success: true, task_id: 't-1', message: 'Cancelled', previous_status: 'processing' },
      body: {},
    },
    {
      name: 'retryTask',
      call: (c) => c.retryTask('t-1'),
      method: 'post',
      path: '/roadmaps/tasks/t-1/retry',
      status: 202,
      response: { task_id: 't-1', status: 'pending', items_to_retry: 3, message: 'Retrying' },
    },
    {
      name: 'listRoadmaps',
      call: (c) => c.listRoadmaps(),
      method: 'get',
      path: '/roadmaps',
      status: 200,
      response: { roadmaps: [], next_cursor: null },
    },
    {
      name: 'getRoadmap',
      call: (c) => c.getRoadmap('learn-rust-1a2b3c4d'),
      method: 'get',
      path: '/roadmaps/learn-rust-1a2b3c4d',
      status: 200,
      response: { roadmap_id: 'learn-rust-1a2b3c4d', stages: [] },
    },
    {
      name: 'getConcept',
      call: (c) => c.getConcept('r-1', 'c-1'),
      method: 'get',
      path: '/roadmaps/r-1/concepts/c-1',
      status: 200,
      response: { concept: { concept_id: 'c-1' }, tutorial: null, resources: null, quiz: null },
    },
    {
      name: 'retryConceptContent',
      call: (c) => c.retryConceptContent('r-1', 'c-1', 'quiz'),
      method: 'post',
      path: '/roadmaps/r-1/concepts/c-1/quiz/retry',
      status: 202,
      response: { success: true, concept_id: 'c-1', content_type: 'quiz', task_id: 't-1', message: 'Retrying' },
    },
    {
      name: 'getCover',
      call: (c) => c.getCover('r-1'),
      method: 'get',
      path: '/roadmap/r-1/cover-image',
      status: 200,
      response: cover,
    },
    {
      name: 'generateCover',
      call: (c) => c.generateCover('r-1'),
      method: 'post',
      path: '/roadmap/r-1/cover-image/generate',
      status: 202,
      response: cover,
    },
    {
      name: 'batchGetCovers',
      call: (c) => c.batchGetCovers(['r-1', 'nope']),
      method: 'post',
      path: '/cover-images/batch-get',
      status: 200,
      response: [cover, { roadmap_id: 'nope', status: 'not_found', cover_image_url: null }],
      body: { roadmap_ids: ['r-1', 'nope'] },
    },
    {
      name: 'batchGenerateCovers',
      call: (c) => c.batchGenerateCovers(['r-1']),
      method: 'post',
      path: '/cover-images/batch-generate',
      status: 200,
      response: {
        triggered: 1,
        skipped: 0,
        roadmap_ids: ['r-1'],
        not_found: [],
        message: 'Triggered 1 cover image generation tasks, skipped 0 already successful',
      },
      body: { roadmap_ids: ['r-1'] },
    },
  ];

  it.each(cases)(
    '$name: $method $path with the bearer token',
    async ({ call, method, path, status, response, body }) => {
      const seen = route(method, path, status, response);
      await expect(call(client)).resolves.toEqual(response);
      expect(seen).toHaveLength(1);
      const [request] = seen;
      expect(request?.method).toBe(method.toUpperCase());
      expect(request?.url.pathname).toBe(`/api/v1${path}`);
      expect(request?.headers.get('authorization')).toBe('Bearer jwt-1');
      if (body === undefined) {
        expect(request?.body).toBe('');
      } else {
        expect(request?.headers.get('content-type')).toBe('application/json');
        expect(JSON.parse(request?.body ?? '')).toEqual(body);
      }
    },
  );

  it('generateRoadmap posts the JSON body with the Idempotency-Key', async () => {
    const response = { task_id: 't-1', roadmap_id: 'learn-rust-1a2b3c4d', status: 'pending', message: 'Started' };
    const seen = route('post', '/roadmaps/generate', 202, response);
    const body = { preferences: { learning_goal: 'Learn Rust', current_level: 'beginner' as const } };
    const result = await client.generateRoadmap(body, { idempotencyKey: 'key-1' });
    expect(result.task_id).toBe('t-1');
    expect(seen[0]?.headers.get('idempotency-key')).toBe('key-1');
    expect(seen[0]?.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual(body);
  });

  it('generateRoadmap sends no Idempotency-Key unless given', async () => {
    const seen = route('post', '/roadmaps/generate', 202, { task_id: 't-1' });
    await client.generateRoadmap({ preferences: { learning_goal: 'Learn Rust' } });
    expect(seen[0]?.headers.has('idempotency-key')).toBe(false);
  });

  it('listTasks sends status, limit and offset as query parameters', async () => {
    const seen = route('get', '/roadmaps/tasks', 200, { tasks: [] });
    await client.listTasks({ status: 'failed', limit: 20, offset: 40 });
    expect(Object.fromEntries(seen[0]?.url.searchParams ?? [])).toEqual({
      status: 'failed',
      limit: '20',
      offset: '40',
    });
  });

  it('listRoadmaps sends limit and cursor as query parameters and answers the page', async () => {
    const page = { roadmaps: [], next_cursor: 'WyIyMDI2IiwiciJd' };
    const seen = route('get', '/roadmaps', 200, page);
    expect(await client.listRoadmaps({ limit: 20, cursor: 'WyIyMDI2IiwiciJd' })).toEqual(page);
    expect(Object.fromEntries(seen[0]?.url.searchParams ?? [])).toEqual({ limit: '20', cursor: 'WyIyMDI2IiwiciJd' });
  });

  it('cancelTask sends the reason', async () => {
    const seen = route('post', '/roadmaps/tasks/t-1/cancel', 200, { success: true });
    await client.cancelTask('t-1', { reason: 'changed my mind' });
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ reason: 'changed my mind' });
  });

  it('cancelTasks posts the selection and the reason, and returns each id under its outcome', async () => {
    const outcome = { cancelled: ['t-1'], not_cancellable: ['t-2'], not_found: ['t-3'] };
    const seen = route('post', '/roadmaps/tasks/cancel', 200, outcome);
    expect(await client.cancelTasks({ task_ids: ['t-1', 't-2', 't-3'] }, { reason: 'tidy' })).toEqual(outcome);
    await client.cancelTasks({ status: 'active' });
    expect(seen.map((request) => JSON.parse(request.body ?? ''))).toEqual([
      { task_ids: ['t-1', 't-2', 't-3'], reason: 'tidy' },
      { status: 'active' },
    ]);
  });

  it('pauseTask, resumeTask, getReview and reviewTask call their routes with their bodies (SPEC §7)', async () => {
    const paused = route('post', '/roadmaps/tasks/t-1/pause', 200, {
      task_id: 't-1',
      status: 'paused',
      previous_status: 'processing',
    });
    expect(await client.pauseTask('t-1', { abortInFlight: true })).toMatchObject({ status: 'paused' });
    await client.pauseTask('t-1');
    expect(paused.map((request) => JSON.parse(request.body ?? ''))).toEqual([{ abort_in_flight: true }, {}]);

    const resumed = route('post', '/roadmaps/tasks/t-1/resume', 202, { task_id: 't-1', status: 'pending' });
    expect(await client.resumeTask('t-1')).toEqual({ task_id: 't-1', status: 'pending' });
    await client.resumeTask('t-1', { budgetUsd: 2.5 });
    expect(resumed.map((request) => request.body)).toEqual(['', JSON.stringify({ budget_usd: 2.5 })]);

    const proposal = { task_id: 't-1', round: 2, max_rounds: 5, proposal: { roadmap_id: 'r-1', stages: [] } };
    route('get', '/roadmaps/tasks/t-1/review', 200, proposal);
    expect(await client.getReview('t-1')).toEqual(proposal);

    const reviewed = route('post', '/roadmaps/tasks/t-1/review', 202, { task_id: 't-1', status: 'processing' });
    await client.reviewTask('t-1', { approved: false, feedback: 'Shorter' });
    expect(JSON.parse(reviewed[0]?.body ?? '')).toEqual({ approved: false, feedback: 'Shorter' });
    route('post', '/roadmaps/tasks/t-2/review', 400, { detail: 'not in review', code: 'task_not_in_review' });
    await expect(client.reviewTask('t-2', { approved: true })).rejects.toMatchObject({
      status: 400,
      code: 'task_not_in_review',
    });
  });

  it('regenerateItem, listItemVersions and restoreItemVersion call their routes (SPEC §7)', async () => {
    const base = '/roadmaps/r-1/concepts/s1-m1-c1/quiz';
    const seen = route('post', `${base}/regenerate`, 202, { success: true, version: 2 });
    expect(await client.regenerateItem('r-1', 's1-m1-c1', 'quiz', 'Harder')).toMatchObject({ version: 2 });
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ feedback: 'Harder' });
    route('get', `${base}/versions`, 200, { versions: [] });
    expect(await client.listItemVersions('r-1', 's1-m1-c1', 'quiz')).toEqual({ versions: [] });
    route('post', `${base}/versions/1/restore`, 200, { concept_id: 's1-m1-c1', content_type: 'quiz', version: 1 });
    expect(await client.restoreItemVersion('r-1', 's1-m1-c1', 'quiz', 1)).toMatchObject({ version: 1 });
  });

  it('uploadCover puts the bytes with their content type', async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const seen: Array<{ type: string | null; bytes: Uint8Array }> = [];
    server.use(
      http.put(`${api}/roadmap/r-1/cover-image`, async ({ request }) => {
        seen.push({ type: request.headers.get('content-type'), bytes: new Uint8Array(await request.arrayBuffer()) });
        return HttpResponse.json({ ...cover, status: 'success', cover_image_url: '/api/v1/cover-images/x.png' });
      }),
    );
    const fromBytes = await client.uploadCover('r-1', bytes, 'image/png');
    await client.uploadCover('r-1', new Blob([bytes], { type: 'image/webp' }));
    expect(fromBytes.status).toBe('success');
    expect(seen.map((request) => request.type)).toEqual(['image/png', 'image/webp']);
    expect(seen[0]?.bytes).toEqual(bytes);
    expect(seen[1]?.bytes).toEqual(bytes);
  });

  it('escapes ids in paths', async () => {
    const seen = route('get', '/roadmaps/tasks/a%2Fb', 200, task);
    await client.getTask('a/b');
    expect(seen[0]?.url.pathname).toBe('/api/v1/roadmaps/tasks/a%2Fb');
  });
});

describe('createRoadmapClient auth', () => {
  it('asks a token function before each request', async () => {
    let count = 0;
    const client = createRoadmapClient({ baseUrl: base, token: async () => `jwt-${++count}` });
    const seen = route('get', '/roadmaps', 200, { roadmaps: [] });
    await client.listRoadmaps();
    await client.listRoadmaps();
    expect(seen.map((request) => request.headers.get('authorization'))).toEqual(['Bearer jwt-1', 'Bearer jwt-2']);
  });

  it('sends no Authorization header without a token', async () => {
    const seen = route('get', '/roadmaps', 200, { roadmaps: [] });
    await createRoadmapClient({ baseUrl: base }).listRoadmaps();
    expect(seen[0]?.headers.has('authorization')).toBe(false);
  });

  it('uses an injected fetch', async () => {
    const urls: string[] = [];
    const client = createRoadmapClient({
      baseUrl: '',
      fetch: async (input) => {
        urls.push(String(input));
        return Response.json({ roadmaps: [] });
      },
    });
    await expect(client.listRoadmaps()).resolves.toEqual({ roadmaps: [] });
    expect(urls).toEqual(['/api/v1/roadmaps']);
  });
});

describe('createRoadmapClient errors', () => {
  const client = createRoadmapClient({ baseUrl: base, token: 'jwt-1' });

  async function failure(promise: Promise<unknown>): Promise<RoadmapApiError> {
    const error = await promise.then(
      () => {
        throw new Error('expected a rejection');
      },
      (reason: unknown) => reason,
    );
    expect(RoadmapApiError.isInstance(error)).toBe(true);
    return error as RoadmapApiError;
  }

  it('maps a 400 with field errors', async () => {
    const errors = [{ path: 'preferences.learning_goal', message: 'Too short' }];
    route('post', '/roadmaps/generate', 400, { detail: 'Invalid request', code: 'invalid_input', errors });
    const error = await failure(client.generateRoadmap({ preferences: { learning_goal: 'x' } }));
    expect(error).toMatchObject({
      status: 400,
      code: 'invalid_input',
      detail: 'Invalid request',
      message: 'Invalid request',
      errors,
    });
    expect(error.name).toBe('RoadmapApiError');
  });

  it.each([
    [401, 'unauthorized', '/roadmaps/tasks/t-1'],
    [403, 'forbidden', '/roadmaps/tasks/t-1'],
    [404, 'not_found', '/roadmaps/tasks/t-1'],
  ])('maps a %i with the server code', async (status, code, path) => {
    route('get', path, status, { detail: `no (${status})`, code });
    const error = await failure(client.getTask('t-1'));
    expect(error).toMatchObject({ status, code, detail: `no (${status})`, errors: [], retryAfterSeconds: undefined });
  });

  it('maps a 400 task_not_cancellable', async () => {
    route('post', '/roadmaps/tasks/t-1/cancel', 400, { detail: 'Task is completed', code: 'task_not_cancellable' });
    expect(await failure(client.cancelTask('t-1'))).toMatchObject({ status: 400, code: 'task_not_cancellable' });
  });

  it('maps a 413 of an upload', async () => {
    route('put', '/roadmap/r-1/cover-image', 413, { detail: 'Image larger than 2 MB', code: 'payload_too_large' });
    const error = await failure(client.uploadCover('r-1', new Uint8Array(8), 'image/png'));
    expect(error).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('reads Retry-After of a 429', async () => {
    server.use(
      http.post(`${api}/roadmap/r-1/cover-image/generate`, () =>
        HttpResponse.json(
          { detail: 'Slow down', code: 'rate_limited' },
          { status: 429, headers: { 'Retry-After': '17' } },
        ),
      ),
    );
    const error = await failure(client.generateCover('r-1'));
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 17 });
  });

  it('falls back to a code from the status when the body is not the error shape', async () => {
    server.use(http.get(`${api}/roadmaps`, () => new HttpResponse('<html>Bad gateway</html>', { status: 502 })));
    expect(await failure(client.listRoadmaps())).toMatchObject({ status: 502, code: 'http_error', detail: 'HTTP 502' });
    server.use(http.get(`${api}/roadmaps`, () => new HttpResponse('', { status: 429 })));
    expect(await failure(client.listRoadmaps())).toMatchObject({ status: 429, code: 'rate_limited' });
  });

  it('maps a network failure to status 0 network_error', async () => {
    server.use(http.get(`${api}/roadmaps`, () => HttpResponse.error()));
    const error = await failure(client.listRoadmaps());
    expect(error).toMatchObject({ status: 0, code: 'network_error' });
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('maps a success body that is not JSON to invalid_response', async () => {
    server.use(http.get(`${api}/roadmaps`, () => new HttpResponse('not json', { status: 200 })));
    expect(await failure(client.listRoadmaps())).toMatchObject({ status: 200, code: 'invalid_response' });
  });

  it('rejects with the abort reason when the signal aborts', async () => {
    let reached!: () => void;
    const arrived = new Promise<void>((resolve) => {
      reached = resolve;
    });
    server.use(
      http.get(`${api}/roadmaps/tasks/t-1`, async () => {
        reached();
        await delay('infinite');
        return HttpResponse.json(task);
      }),
    );
    const controller = new AbortController();
    const pending = client.getTask('t-1', { signal: controller.signal });
    await arrived;
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(pending).rejects.not.toBeInstanceOf(RoadmapApiError);
  });

  it('isInstance rejects other errors and accepts a marked copy', () => {
    expect(RoadmapApiError.isInstance(new Error('x'))).toBe(false);
    expect(RoadmapApiError.isInstance(null)).toBe(false);
    const copy = Object.defineProperty(new Error('x'), Symbol.for('roadmap.apiError'), { value: true });
    expect(RoadmapApiError.isInstance(copy)).toBe(true);
  });
});
