import { delay, HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isRetryableError } from '../model/retry.js';
import { isAbortError, RoadmapError } from '../shared/errors.js';
import type { ImageRequest } from './imageProvider.js';
import { createWebhookImageProvider } from './webhookImageProvider.js';

const endpoint = 'https://images.example.com/generate';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function request(abortSignal = new AbortController().signal): ImageRequest {
  return { roadmapId: 'roadmap-1', prompt: 'Learn Rust — systems programming', title: 'Learn Rust', abortSignal };
}

async function failure(promise: Promise<unknown>): Promise<RoadmapError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!RoadmapError.isInstance(error)) throw new Error(`expected a RoadmapError, got ${String(error)}`);
  return error;
}

describe('createWebhookImageProvider', () => {
  it('posts { prompt: title } as JSON with the given headers and returns the hosted URL', async () => {
    const seen: Array<{ body: unknown; contentType: string | null; authorization: string | null }> = [];
    server.use(
      http.post(endpoint, async ({ request }) => {
        seen.push({
          body: await request.json(),
          contentType: request.headers.get('content-type'),
          authorization: request.headers.get('authorization'),
        });
        return HttpResponse.json({ status: 'success', url: 'https://cdn.example.com/covers/rust.png' });
      }),
    );
    const provider = createWebhookImageProvider({ url: endpoint, headers: { authorization: 'Bearer secret' } });
    expect(provider).toMatchObject({ specificationVersion: 'v1', provider: 'webhook' });
    await expect(provider.generate(request())).resolves.toEqual({
      kind: 'url',
      url: 'https://cdn.example.com/covers/rust.png',
    });
    expect(seen).toEqual([
      { body: { prompt: 'Learn Rust' }, contentType: 'application/json', authorization: 'Bearer secret' },
    ]);
  });

  it('fails with a provider_error when the webhook reports another status', async () => {
    server.use(http.post(endpoint, () => HttpResponse.json({ status: 'error', message: 'NSFW prompt rejected' })));
    const error = await failure(createWebhookImageProvider({ url: endpoint }).generate(request()));
    expect(error).toMatchObject({ code: 'provider_error', retryable: false });
    expect(error.message).toBe('The image webhook answered status "error" instead of "success": NSFW prompt rejected');
  });

  it.each([
    ['missing', { status: 'success' }],
    ['not a URL', { status: 'success', url: 'not a url' }],
    ['not http', { status: 'success', url: 'javascript:alert(1)' }],
  ])('fails with a provider_error when the URL is %s', async (_, body) => {
    server.use(http.post(endpoint, () => HttpResponse.json(body)));
    const error = await failure(createWebhookImageProvider({ url: endpoint }).generate(request()));
    expect(error.code).toBe('provider_error');
    expect(error.message).toMatch(/without a valid http\(s\) image URL/);
  });

  it('fails with a provider_error on malformed JSON', async () => {
    server.use(
      http.post(
        endpoint,
        () => new HttpResponse('{"status": "succ', { headers: { 'content-type': 'application/json' } }),
      ),
    );
    const error = await failure(createWebhookImageProvider({ url: endpoint }).generate(request()));
    expect(error).toMatchObject({ code: 'provider_error', retryable: false });
    expect(error.message).toMatch(/invalid JSON: \{"status": "succ/);
  });

  it('fails without retry on 400, quoting the body', async () => {
    server.use(http.post(endpoint, () => HttpResponse.json({ error: 'prompt is required' }, { status: 400 })));
    const error = await failure(createWebhookImageProvider({ url: endpoint }).generate(request()));
    expect(error).toMatchObject({ code: 'provider_error', retryable: false, statusCode: 400 });
    expect(error.message).toMatch(/HTTP 400.*prompt is required/);
    expect(isRetryableError(error)).toBe(false);
  });

  it('is retryable on 429 with retry-after in seconds', async () => {
    server.use(
      http.post(endpoint, () =>
        HttpResponse.json({ error: 'slow down' }, { status: 429, headers: { 'retry-after': '7' } }),
      ),
    );
    const error = await failure(createWebhookImageProvider({ url: endpoint }).generate(request()));
    expect(error).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 7000, statusCode: 429 });
    expect(isRetryableError(error)).toBe(true);
  });

  it('is retryable on 503 with retry-after as an HTTP date', async () => {
    const later = new Date(Date.now() + 120_000).toUTCString();
    server.use(
      http.post(
        endpoint,
        () => new HttpResponse('down for maintenance', { status: 503, headers: { 'retry-after': later } }),
      ),
    );
    const error = await failure(createWebhookImageProvider({ url: endpoint }).generate(request()));
    expect(error).toMatchObject({ code: 'provider_error', retryable: true, statusCode: 503 });
    expect(error.retryAfterMs).toBeGreaterThan(100_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('is retryable on 500 without retry-after', async () => {
    server.use(http.post(endpoint, () => new HttpResponse(null, { status: 500 })));
    const error = await failure(createWebhookImageProvider({ url: endpoint }).generate(request()));
    expect(error).toMatchObject({ code: 'provider_error', retryable: true, retryAfterMs: undefined });
  });

  it('times out with a retryable timeout error', async () => {
    server.use(
      http.post(endpoint, async () => {
        await delay('infinite');
        return HttpResponse.json({ status: 'success', url: 'https://cdn.example.com/late.png' });
      }),
    );
    const started = Date.now();
    const error = await failure(createWebhookImageProvider({ url: endpoint, timeoutMs: 50 }).generate(request()));
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expect(error.message).toBe('The image webhook did not answer within 50 ms');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('throws an AbortError when the caller aborts mid-request', async () => {
    const controller = new AbortController();
    server.use(
      http.post(endpoint, async () => {
        controller.abort();
        await delay('infinite');
        return HttpResponse.json({ status: 'success', url: 'https://cdn.example.com/late.png' });
      }),
    );
    const error = await createWebhookImageProvider({ url: endpoint })
      .generate(request(controller.signal))
      .catch((caught: unknown) => caught);
    expect(isAbortError(error)).toBe(true);
    expect(RoadmapError.isInstance(error)).toBe(false);
  });

  it('throws an AbortError without calling when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    // No handler: onUnhandledRequest 'error' would fail the test if a request went out.
    const error = await createWebhookImageProvider({ url: endpoint })
      .generate(request(controller.signal))
      .catch((caught: unknown) => caught);
    expect(isAbortError(error)).toBe(true);
  });

  it('times out even with a custom fetch that ignores the signal', async () => {
    const hangingFetch = (() => new Promise<Response>(() => {})) as typeof fetch;
    const error = await failure(
      createWebhookImageProvider({ url: endpoint, timeoutMs: 30, fetch: hangingFetch }).generate(request()),
    );
    expect(error.code).toBe('timeout');
  });

  it('reports a retryable provider_error when the network fails', async () => {
    server.use(http.post(endpoint, () => HttpResponse.error()));
    const error = await failure(createWebhookImageProvider({ url: endpoint }).generate(request()));
    expect(error).toMatchObject({ code: 'provider_error', retryable: true });
    expect(error.message).toMatch(/^The image webhook could not be reached: /);
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => createWebhookImageProvider({ url: 'ftp://example.com' })).toThrow(/http\(s\) URL/);
  });
});
