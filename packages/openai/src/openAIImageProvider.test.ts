import { type ImageRequest, isAbortError, RoadmapError } from '@roadmap/core';
import { delay, HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiError, createRecorder, imageGenerationsURL, imagesResponse, pngBytes } from './openAIFixtures.js';
import { createOpenAIImageProvider } from './openAIImageProvider.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  vi.unstubAllEnvs();
});
afterAll(() => server.close());

const base64 = Buffer.from(pngBytes).toString('base64');

interface ImageRequestBody {
  model: string;
  prompt: string;
  size: string;
  n: number;
  response_format?: string;
}

function imageRequest(overrides: Partial<ImageRequest> = {}): ImageRequest {
  return {
    roadmapId: 'learn-go-1a2b3c4d',
    prompt: 'A cover illustration for a roadmap about learning Go for backend services',
    title: 'Learn Go for backend services',
    abortSignal: new AbortController().signal,
    ...overrides,
  };
}

function serveImages(...responses: Array<() => Response>) {
  const recorder = createRecorder<ImageRequestBody>();
  server.use(
    http.post(imageGenerationsURL, async ({ request }) => {
      const index = recorder.bodies.length;
      await recorder.record(request);
      const respond = responses[Math.min(index, responses.length - 1)];
      if (!respond) throw new Error('no response scripted');
      return respond();
    }),
  );
  return recorder;
}

const b64Image = (outputFormat?: 'png' | 'webp' | 'jpeg') => () =>
  HttpResponse.json(imagesResponse({ b64_json: base64 }, outputFormat));

async function rejection(promise: Promise<unknown>): Promise<RoadmapError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
  if (!RoadmapError.isInstance(error)) throw error;
  return error;
}

describe('createOpenAIImageProvider', () => {
  it('asks gpt-image-1 for one landscape image without response_format and decodes the base64 bytes', async () => {
    vi.stubEnv('ROADMAP_IMAGE_MODEL', '');
    const recorder = serveImages(b64Image('png'));
    const provider = createOpenAIImageProvider({ apiKey: 'sk-test' });

    const result = await provider.generate(imageRequest());

    expect(provider).toMatchObject({ specificationVersion: 'v1', provider: 'openai', modelId: 'gpt-image-1' });
    // The tokens it reported, for the task's usage (priced by the engine under gpt-image-1).
    expect(result).toEqual({
      kind: 'bytes',
      data: pngBytes,
      contentType: 'image/png',
      usage: { images: 1, inputTokens: 38, outputTokens: 1056 },
    });
    expect(recorder.bodies[0]).toEqual({
      model: 'gpt-image-1',
      prompt: 'A cover illustration for a roadmap about learning Go for backend services',
      size: '1536x1024',
      n: 1,
    });
    expect(recorder.headers[0]?.get('authorization')).toBe('Bearer sk-test');
  });

  it('asks dall-e-3 for b64_json at its landscape size, and reads ROADMAP_IMAGE_MODEL', async () => {
    vi.stubEnv('ROADMAP_IMAGE_MODEL', 'dall-e-3');
    const recorder = serveImages(b64Image());

    await createOpenAIImageProvider({ apiKey: 'sk-test' }).generate(imageRequest());

    expect(recorder.bodies[0]).toMatchObject({ model: 'dall-e-3', size: '1792x1024', response_format: 'b64_json' });
  });

  it('uses the content type the response names', async () => {
    serveImages(b64Image('webp'));
    const result = await createOpenAIImageProvider({ apiKey: 'sk-test', size: '1024x1024' }).generate(imageRequest());
    expect(result).toMatchObject({ kind: 'bytes', contentType: 'image/webp' });
  });

  it('repeats the call without response_format when the server rejects it, and leaves it out from then on', async () => {
    const recorder = serveImages(
      () =>
        apiError(400, "Unknown parameter: 'response_format'.", { param: 'response_format', code: 'unknown_parameter' }),
      b64Image(),
    );
    const provider = createOpenAIImageProvider({ apiKey: 'sk-test', model: 'flux-schnell' });

    await expect(provider.generate(imageRequest())).resolves.toMatchObject({ kind: 'bytes', data: pngBytes });
    await provider.generate(imageRequest());

    expect(recorder.bodies.map((body) => body.response_format)).toEqual(['b64_json', undefined, undefined]);
  });

  it('downloads the image when a server answers with a URL instead of base64', async () => {
    serveImages(() => HttpResponse.json(imagesResponse({ url: 'https://images.example.test/cover.png' })));
    server.use(
      http.get('https://images.example.test/cover.png', () =>
        HttpResponse.arrayBuffer(pngBytes.slice().buffer, { headers: { 'content-type': 'image/png' } }),
      ),
    );

    const result = await createOpenAIImageProvider({ apiKey: 'sk-test', model: 'dall-e-2' }).generate(imageRequest());

    // DALL·E reports no tokens: one image, priced per image.
    expect(result).toEqual({ kind: 'bytes', data: pngBytes, contentType: 'image/png', usage: { images: 1 } });
  });

  it('maps 429 to retryable rate_limited with retryAfterMs, 5xx to retryable provider_error, 400 to a final one', async () => {
    const provider = createOpenAIImageProvider({ apiKey: 'sk-test' });

    serveImages(() => apiError(429, 'Rate limit reached for images per minute.', { headers: { 'retry-after': '12' } }));
    const limited = await rejection(provider.generate(imageRequest()));
    expect(limited).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 12_000, statusCode: 429 });

    server.resetHandlers();
    const recorder = serveImages(() => apiError(502, 'Bad gateway.'));
    const unavailable = await rejection(provider.generate(imageRequest()));
    expect(unavailable).toMatchObject({ code: 'provider_error', retryable: true, statusCode: 502 });
    expect(recorder.bodies).toHaveLength(1);

    server.resetHandlers();
    serveImages(() =>
      apiError(400, 'Your request was rejected as a result of our safety system.', {
        code: 'content_policy_violation',
      }),
    );
    const rejected = await rejection(provider.generate(imageRequest()));
    expect(rejected).toMatchObject({ code: 'provider_error', retryable: false, statusCode: 400 });
    expect(rejected.message).toContain('safety system');
  });

  it('fails with provider_error when the response holds no image', async () => {
    serveImages(() => HttpResponse.json({ created: 1_767_225_600, data: [] }));
    const error = await rejection(createOpenAIImageProvider({ apiKey: 'sk-test' }).generate(imageRequest()));
    expect(error).toMatchObject({ code: 'provider_error', retryable: false });
  });

  it('maps a slow answer to a retryable timeout and an abort to an AbortError', async () => {
    server.use(
      http.post(imageGenerationsURL, async () => {
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    const timedOut = await rejection(
      createOpenAIImageProvider({ apiKey: 'sk-test', timeoutMs: 50 }).generate(imageRequest()),
    );
    expect(timedOut).toMatchObject({ code: 'timeout', retryable: true });

    const controller = new AbortController();
    const pending = createOpenAIImageProvider({ apiKey: 'sk-test' }).generate(
      imageRequest({ abortSignal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 20);
    const aborted = await pending.catch((caught: unknown) => caught);
    expect(isAbortError(aborted)).toBe(true);
  });
});
