import { abortError, RoadmapError } from '../shared/errors.js';
import { describeBody, errorFromResponse, fetchProvider, parseProviderJson } from '../shared/providerFetch.js';
import type { ImageProvider, ImageRequest, ImageResult } from './imageProvider.js';

export interface UnsplashImageProviderOptions {
  /** Access key of an Unsplash application (the "Client-ID"), e.g. from `UNSPLASH_ACCESS_KEY`. */
  accessKey: string;
  /** Limit for each call (the search, then the download report), body included. Default: 30 000. */
  timeoutMs?: number;
  /** The `fetch` to call, for proxies and tests. Default: `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Photo orientation asked of the search. Default: `'landscape'` (covers are wide). */
  orientation?: 'landscape' | 'portrait' | 'squarish';
  /** Origin of the Unsplash API. Default: `'https://api.unsplash.com'`. */
  baseUrl?: string;
}

const provider = 'Unsplash';
const referral = 'utm_source=roadmap_kit&utm_medium=referral';

/** The part of an Unsplash photo (search result) this provider reads. */
interface UnsplashPhoto {
  urls?: { regular?: unknown };
  user?: { name?: unknown; username?: unknown; links?: { html?: unknown } };
  links?: { download_location?: unknown };
}

/**
 * An image provider that finds a photo on Unsplash for the roadmap (the first search result for keywords of its
 * prompt) and returns Unsplash's hotlinked URL with the credit Unsplash's guidelines require (photographer and
 * Unsplash, linked with referral parameters). As the API guidelines ask, it also reports the use of the photo to
 * its `download_location`.
 *
 * Errors: no result → `provider_error`; 401/403 → `provider_error` about the access key (not retryable); 429, 5xx
 * or a spent hourly quota (`X-Ratelimit-Remaining: 0`) → retryable; no answer in time → retryable `timeout`.
 *
 * @example
 * const imageProvider = createUnsplashImageProvider({ accessKey: process.env.UNSPLASH_ACCESS_KEY });
 */
export function createUnsplashImageProvider(options: UnsplashImageProviderOptions): ImageProvider {
  if (typeof options?.accessKey !== 'string' || options.accessKey.trim() === '') {
    throw new RoadmapError('invalid_input', 'createUnsplashImageProvider needs an accessKey (UNSPLASH_ACCESS_KEY)');
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const orientation = options.orientation ?? 'landscape';
  const baseUrl = (options.baseUrl ?? 'https://api.unsplash.com').replace(/\/+$/, '');
  const headers = { authorization: `Client-ID ${options.accessKey.trim()}`, 'accept-version': 'v1' };
  const call = (url: string, abortSignal: AbortSignal) =>
    fetchProvider({
      provider,
      fetch: options.fetch ?? globalThis.fetch,
      url,
      init: { method: 'GET', headers },
      timeoutMs,
      abortSignal,
    });

  return {
    specificationVersion: 'v1',
    provider: 'unsplash',
    async generate(request: ImageRequest): Promise<ImageResult> {
      const query = searchKeywords(request.prompt) || searchKeywords(request.title) || request.title.trim();
      const search = new URL(`${baseUrl}/search/photos`);
      search.searchParams.set('query', query);
      search.searchParams.set('per_page', '1');
      search.searchParams.set('orientation', orientation);
      const { response, text } = await call(search.toString(), request.abortSignal);
      if (!response.ok) throw unsplashError(response, text);
      const body = parseProviderJson(provider, text) as { results?: unknown } | null;
      if (!Array.isArray(body?.results)) {
        throw new RoadmapError('provider_error', 'Unsplash answered a search without a results list');
      }
      const photo = body.results[0] as UnsplashPhoto | undefined;
      if (photo === undefined) {
        throw new RoadmapError('provider_error', `No Unsplash photo matches ${JSON.stringify(query)}`);
      }
      const url = photo.urls?.regular;
      if (typeof url !== 'string' || url === '') {
        throw new RoadmapError('provider_error', 'Unsplash answered a photo without urls.regular');
      }
      const downloadLocation = photo.links?.download_location;
      if (typeof downloadLocation === 'string' && downloadLocation !== '') {
        await reportDownload(downloadLocation, request.abortSignal);
      }
      return { kind: 'url', url, attribution: attributionOf(photo) };
    },
  };

  /** Tells Unsplash the photo is used; failures do not fail the cover (the photo is already chosen). */
  async function reportDownload(location: string, abortSignal: AbortSignal): Promise<void> {
    // Only Unsplash's own origin gets the access key.
    if (!location.startsWith(`${baseUrl}/`)) return;
    try {
      await call(location, abortSignal);
    } catch {
      if (abortSignal.aborted) throw abortError(abortSignal);
    }
  }
}

function unsplashError(response: Response, text: string): RoadmapError {
  const status = response.status;
  const remaining = response.headers.get('x-ratelimit-remaining');
  if (remaining !== null && remaining.trim() === '0' && (status === 403 || status === 429)) {
    const base = errorFromResponse(provider, response, text);
    return new RoadmapError(
      'rate_limited',
      `Unsplash rate limit reached (X-Ratelimit-Remaining: 0): ${describeBody(text)}`,
      {
        retryable: true,
        statusCode: status,
        ...(base.retryAfterMs === undefined ? {} : { retryAfterMs: base.retryAfterMs }),
      },
    );
  }
  if (status === 401 || status === 403) {
    return new RoadmapError(
      'provider_error',
      `Unsplash refused the access key (HTTP ${status}): ${describeBody(text) || 'unauthorized'}. Check UNSPLASH_ACCESS_KEY.`,
      { statusCode: status },
    );
  }
  return errorFromResponse(provider, response, text);
}

function attributionOf(photo: UnsplashPhoto) {
  const user = photo.user;
  const author = typeof user?.name === 'string' && user.name !== '' ? user.name : String(user?.username ?? 'Unknown');
  const profile =
    typeof user?.links?.html === 'string'
      ? user.links.html
      : `https://unsplash.com/@${encodeURIComponent(String(user?.username ?? ''))}`;
  return {
    author,
    authorUrl: withReferral(profile),
    source: 'Unsplash',
    sourceUrl: `https://unsplash.com/?${referral}`,
  };
}

function withReferral(url: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${referral}`;
}

const stopWords = new Set(
  (
    'a an and the of for to in on with from by at as or is are be your you my our learn learning roadmap road map ' +
    'guide course complete introduction intro beginner beginners basics fundamentals mastery master mastering how ' +
    'step steps path zero hero advanced topic'
  ).split(' '),
);

/** Up to five content words of `text` (stop words and punctuation removed), joined by spaces. */
export function searchKeywords(text: string): string {
  const words = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}+#]+/u)
    .filter((word) => word.length > 1 && !stopWords.has(word));
  return [...new Set(words)].slice(0, 5).join(' ');
}
