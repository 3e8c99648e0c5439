import { RoadmapError } from '../shared/errors.js';
import { errorFromResponse, fetchProvider, parseProviderJson } from '../shared/providerFetch.js';
import type { ImageProvider, ImageRequest, ImageResult } from './imageProvider.js';

export interface WebhookImageProviderOptions {
  /** Endpoint that receives `POST { prompt }` and answers `{ status: "success", url }`. */
  url: string;
  /** Extra request headers, e.g. `{ authorization: 'Bearer …' }`. Default: none (only `content-type` JSON). */
  headers?: Record<string, string>;
  /** Limit for the whole call, body included; past it the call fails with a retryable `timeout`. Default: 30 000. */
  timeoutMs?: number;
  /** The `fetch` to call, for proxies and tests. Default: `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
}

const provider = 'The image webhook';

/**
 * An image provider calling an HTTP webhook with the contract of the original roadmap app: `POST { prompt }` with
 * the roadmap's title as prompt, answered by `{ status: "success", url }`. The webhook hosts the image.
 *
 * Errors: 429 → retryable `rate_limited`; 5xx → retryable `provider_error` (both with `retryAfterMs` from
 * `retry-after`); other non-2xx, invalid JSON, a status other than `"success"` or a missing URL → `provider_error`;
 * no answer in time → retryable `timeout`; an aborted request → `AbortError`.
 *
 * @example
 * const imageProvider = createWebhookImageProvider({ url: process.env.ROADMAP_IMAGE_WEBHOOK_URL });
 */
export function createWebhookImageProvider(options: WebhookImageProviderOptions): ImageProvider {
  const endpoint = parseEndpoint(options.url);
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    specificationVersion: 'v1',
    provider: 'webhook',
    async generate(request: ImageRequest): Promise<ImageResult> {
      const { response, text } = await fetchProvider({
        provider,
        fetch: options.fetch ?? globalThis.fetch,
        url: endpoint,
        init: {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
          body: JSON.stringify({ prompt: request.title.trim() === '' ? request.prompt : request.title }),
        },
        timeoutMs,
        abortSignal: request.abortSignal,
      });
      if (!response.ok) throw errorFromResponse(provider, response, text);
      const body = parseProviderJson(provider, text) as { status?: unknown; url?: unknown; message?: unknown } | null;
      if (body?.status !== 'success') {
        const reason = typeof body?.message === 'string' ? `: ${body.message}` : '';
        throw new RoadmapError(
          'provider_error',
          `${provider} answered status ${JSON.stringify(body?.status ?? null)} instead of "success"${reason}`,
          { statusCode: response.status },
        );
      }
      if (typeof body.url !== 'string' || !isHttpUrl(body.url)) {
        throw new RoadmapError(
          'provider_error',
          `${provider} answered without a valid http(s) image URL: ${JSON.stringify(body.url ?? null)}`,
          {
            statusCode: response.status,
          },
        );
      }
      return { kind: 'url', url: body.url };
    },
  };
}

function parseEndpoint(url: string): string {
  if (typeof url !== 'string' || !isHttpUrl(url)) {
    throw new RoadmapError('invalid_input', `The image webhook URL must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  return url;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
