import { delay, HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isRetryableError } from '../model/retry.js';
import { isAbortError, RoadmapError } from '../shared/errors.js';
import type { ImageRequest } from './imageProvider.js';
import { createUnsplashImageProvider, searchKeywords } from './unsplashImageProvider.js';

const searchUrl = 'https://api.unsplash.com/search/photos';
const downloadUrl = 'https://api.unsplash.com/photos/Dwu85P9SOIk/download';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A search answer shaped like Unsplash's (trimmed to the fields a client commonly reads). */
function searchResponse(results = [photo()]) {
  return { total: results.length === 0 ? 0 : 133, total_pages: results.length === 0 ? 0 : 133, results };
}

function photo() {
  const id = 'Dwu85P9SOIk';
  const raw = `https://images.unsplash.com/photo-1417325384643-aac51acc9e5d?ixid=abc`;
  return {
    id,
    created_at: '2016-05-03T11:00:28-04:00',
    width: 2448,
    height: 3264,
    color: '#6E633A',
    blur_hash: 'LFC$yHwc8^$yIAS$%M%00KxukYIp',
    description: 'A man drinking a coffee.',
    alt_description: 'man in black jacket holding white ceramic mug',
    urls: {
      raw,
      full: `${raw}&q=85&fm=jpg&crop=entropy&cs=srgb`,
      regular: `${raw}&q=80&fm=jpg&crop=entropy&cs=tinysrgb&w=1080&fit=max`,
      small: `${raw}&q=80&fm=jpg&crop=entropy&cs=tinysrgb&w=400&fit=max`,
      thumb: `${raw}&q=80&fm=jpg&crop=entropy&cs=tinysrgb&w=200&fit=max`,
    },
    links: {
      self: `https://api.unsplash.com/photos/${id}`,
      html: `https://unsplash.com/photos/${id}`,
      download: `https://unsplash.com/photos/${id}/download`,
      download_location: `https://api.unsplash.com/photos/${id}/download?ixid=abc`,
    },
    user: {
      id: 'QPxL2MGqfrw',
      username: 'exampleuser',
      name: 'Joe Example',
      links: { self: 'https://api.unsplash.com/users/exampleuser', html: 'https://unsplash.com/@exampleuser' },
    },
  };
}

function request(abortSignal = new AbortController().signal): ImageRequest {
  return {
    roadmapId: 'roadmap-1',
    prompt: 'Learn Rust: a complete roadmap for systems programming',
    title: 'Learn Rust',
    abortSignal,
  };
}

async function failure(promise: Promise<unknown>): Promise<RoadmapError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!RoadmapError.isInstance(error)) throw new Error(`expected a RoadmapError, got ${String(error)}`);
  return error;
}

const provider = (options: { timeoutMs?: number } = {}) =>
  createUnsplashImageProvider({ accessKey: 'test-key', ...options });

describe('createUnsplashImageProvider', () => {
  it('searches with the key and version headers, reports the download, and returns the photo with credit', async () => {
    const searches: Array<{ query: Record<string, string>; authorization: string | null; version: string | null }> = [];
    const downloads: Array<string | null> = [];
    server.use(
      http.get(searchUrl, ({ request }) => {
        searches.push({
          query: Object.fromEntries(new URL(request.url).searchParams),
          authorization: request.headers.get('authorization'),
          version: request.headers.get('accept-version'),
        });
        return HttpResponse.json(searchResponse(), {
          headers: { 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '49' },
        });
      }),
      http.get(downloadUrl, ({ request }) => {
        downloads.push(request.headers.get('authorization'));
        return HttpResponse.json({ url: 'https://image.unsplash.com/example' });
      }),
    );
    const unsplash = provider();
    expect(unsplash).toMatchObject({ specificationVersion: 'v1', provider: 'unsplash' });
    const result = await unsplash.generate(request());
    expect(result).toEqual({
      kind: 'url',
      url: photo().urls.regular,
      attribution: {
        author: 'Joe Example',
        authorUrl: 'https://unsplash.com/@exampleuser?utm_source=roadmap_kit&utm_medium=referral',
        source: 'Unsplash',
        sourceUrl: 'https://unsplash.com/?utm_source=roadmap_kit&utm_medium=referral',
      },
    });
    expect(searches).toEqual([
      {
        query: { query: 'rust systems programming', per_page: '1', orientation: 'landscape' },
        authorization: 'Client-ID test-key',
        version: 'v1',
      },
    ]);
    expect(downloads).toEqual(['Client-ID test-key']);
  });

  it('fails with a provider_error when no photo matches', async () => {
    server.use(http.get(searchUrl, () => HttpResponse.json(searchResponse([]))));
    const error = await failure(provider().generate(request()));
    expect(error).toMatchObject({ code: 'provider_error', retryable: false });
    expect(error.message).toBe('No Unsplash photo matches "rust systems programming"');
  });

  it('still returns the photo when the download report fails or hangs', async () => {
    server.use(
      http.get(searchUrl, () => HttpResponse.json(searchResponse())),
      http.get(downloadUrl, async () => {
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    const result = await provider({ timeoutMs: 50 }).generate(request());
    expect(result).toMatchObject({ kind: 'url', url: photo().urls.regular });
  });

  it('does not send the access key to a download_location outside the Unsplash API', async () => {
    const foreign = { ...photo(), links: { ...photo().links, download_location: 'https://evil.example.com/steal' } };
    // No handler for evil.example.com: onUnhandledRequest 'error' fails the test if it is called.
    server.use(http.get(searchUrl, () => HttpResponse.json(searchResponse([foreign]))));
    await expect(provider().generate(request())).resolves.toMatchObject({ kind: 'url' });
  });

  it.each([401, 403])('fails without retry on %i, mentioning the access key', async (status) => {
    server.use(
      http.get(searchUrl, () =>
        HttpResponse.json({ errors: ['OAuth error: The access token is invalid'] }, { status }),
      ),
    );
    const error = await failure(provider().generate(request()));
    expect(error).toMatchObject({ code: 'provider_error', retryable: false, statusCode: status });
    expect(error.message).toMatch(/access key.*The access token is invalid.*UNSPLASH_ACCESS_KEY/);
    expect(isRetryableError(error)).toBe(false);
  });

  it('treats a 403 with X-Ratelimit-Remaining 0 as a retryable rate limit', async () => {
    server.use(
      http.get(
        searchUrl,
        () => new HttpResponse('Rate Limit Exceeded', { status: 403, headers: { 'x-ratelimit-remaining': '0' } }),
      ),
    );
    const error = await failure(provider().generate(request()));
    expect(error).toMatchObject({ code: 'rate_limited', retryable: true, statusCode: 403 });
    expect(error.message).toMatch(/Rate Limit Exceeded/);
  });

  it('is retryable on 429 with retry-after', async () => {
    server.use(
      http.get(searchUrl, () =>
        HttpResponse.json({ errors: ['Too many requests'] }, { status: 429, headers: { 'retry-after': '30' } }),
      ),
    );
    const error = await failure(provider().generate(request()));
    expect(error).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 30_000 });
  });

  it('is retryable on 500', async () => {
    server.use(http.get(searchUrl, () => HttpResponse.json({ errors: ['Internal error'] }, { status: 500 })));
    const error = await failure(provider().generate(request()));
    expect(error).toMatchObject({ code: 'provider_error', retryable: true, statusCode: 500 });
    expect(error.message).toMatch(/HTTP 500.*Internal error/);
  });

  it('fails without retry on 400', async () => {
    server.use(http.get(searchUrl, () => HttpResponse.json({ errors: ['query is missing'] }, { status: 400 })));
    const error = await failure(provider().generate(request()));
    expect(error).toMatchObject({ code: 'provider_error', retryable: false, statusCode: 400 });
  });

  it('fails with a provider_error on malformed JSON', async () => {
    server.use(http.get(searchUrl, () => new HttpResponse('<html>Bad gateway</html>', { status: 200 })));
    const error = await failure(provider().generate(request()));
    expect(error).toMatchObject({ code: 'provider_error', retryable: false });
    expect(error.message).toMatch(/invalid JSON/);
  });

  it('times out with a retryable timeout error', async () => {
    server.use(
      http.get(searchUrl, async () => {
        await delay(5_000);
        return HttpResponse.json(searchResponse());
      }),
    );
    const error = await failure(provider({ timeoutMs: 50 }).generate(request()));
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expect(error.message).toBe('Unsplash did not answer within 50 ms');
  });

  it('throws an AbortError when the caller aborts mid-request', async () => {
    const controller = new AbortController();
    server.use(
      http.get(searchUrl, async () => {
        controller.abort();
        await delay('infinite');
        return HttpResponse.json(searchResponse());
      }),
    );
    const error = await provider()
      .generate(request(controller.signal))
      .catch((caught: unknown) => caught);
    expect(isAbortError(error)).toBe(true);
  });

  it('throws an AbortError when aborted during the download report', async () => {
    const controller = new AbortController();
    server.use(
      http.get(searchUrl, () => HttpResponse.json(searchResponse())),
      http.get(downloadUrl, async () => {
        controller.abort();
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    const error = await provider()
      .generate(request(controller.signal))
      .catch((caught: unknown) => caught);
    expect(isAbortError(error)).toBe(true);
  });

  it('needs an access key', () => {
    expect(() => createUnsplashImageProvider({ accessKey: ' ' })).toThrow(/accessKey/);
  });
});

describe('searchKeywords', () => {
  it('keeps up to five content words', () => {
    expect(searchKeywords('Learn Rust: a complete roadmap for systems programming')).toBe('rust systems programming');
    expect(searchKeywords('C++ and C# for beginners')).toBe('c++ c#');
    expect(searchKeywords('Photographie de paysage, lumière naturelle et composition avancée du cadre')).toBe(
      'photographie de paysage lumière naturelle',
    );
    expect(searchKeywords('The Complete Guide')).toBe('');
  });
});
