// Calling an HTTP image provider (webhook, Unsplash): one request within a time limit that honours an abort, its
// non-2xx answers mapped to retryable or final `RoadmapError`s (with the server's `Retry-After`), its body read as
// JSON with the provider named in every error.
import { abortError, RoadmapError } from './errors.js';
import { parseRetryAfter } from './retryAfter.js';

/** What {@link fetchProvider} is asked to do. */
export interface ProviderFetchOptions {
  /** Provider name used in error messages, e.g. `'Unsplash'`. */
  provider: string;
  fetch: typeof globalThis.fetch;
  url: string;
  init: RequestInit;
  /** Limit for the whole exchange, body included. */
  timeoutMs: number;
  abortSignal: AbortSignal;
}

/**
 * Sends one request and reads the body as text, all within `timeoutMs`. Throws an `AbortError` when `abortSignal`
 * aborts, `RoadmapError('timeout', retryable)` when the time runs out, and a retryable
 * `RoadmapError('provider_error')` when the network fails. Any HTTP status is returned, not thrown.
 */
export async function fetchProvider(options: ProviderFetchOptions): Promise<{ response: Response; text: string }> {
  const { abortSignal, timeoutMs, provider } = options;
  if (abortSignal.aborted) throw abortError(abortSignal);
  const timeoutSignal = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([abortSignal, timeoutSignal]);
  try {
    return await untilAborted(signal, async () => {
      const response = await options.fetch(options.url, { ...options.init, signal });
      return { response, text: await response.text() };
    });
  } catch (error) {
    if (abortSignal.aborted) throw abortError(abortSignal);
    if (timeoutSignal.aborted) {
      throw new RoadmapError('timeout', `${provider} did not answer within ${timeoutMs} ms`, {
        cause: error,
        retryable: true,
      });
    }
    throw new RoadmapError('provider_error', `${provider} could not be reached: ${messageOf(error)}`, {
      cause: error,
      retryable: true,
    });
  }
}

/**
 * The error for a response that is not 2xx: 429 → retryable `rate_limited`; 408 and 5xx → retryable
 * `provider_error`; others → `provider_error` that is not retryable. `retryAfterMs` comes from `retry-after-ms` or `retry-after`.
 */
export function errorFromResponse(provider: string, response: Response, text: string): RoadmapError {
  const status = response.status;
  const retryAfterMs = parseRetryAfter(response.headers);
  const detail = describeBody(text);
  const message = `${provider} answered HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}${detail ? `: ${detail}` : ''}`;
  const retryable = status === 408 || status === 429 || status >= 500;
  return new RoadmapError(status === 429 ? 'rate_limited' : 'provider_error', message, {
    retryable,
    statusCode: status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** Parses `text` as JSON, or throws `RoadmapError('provider_error')` naming the provider. */
export function parseProviderJson(provider: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RoadmapError(
      'provider_error',
      `${provider} answered with invalid JSON: ${describeBody(text) || '(empty body)'}`,
      {
        cause: error,
      },
    );
  }
}

/** The start of a response body for an error message: a JSON `error`/`message`/`errors` field, or the raw text. */
export function describeBody(text: string): string {
  let detail = text.trim();
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown; errors?: unknown } | null;
    const field = body?.errors ?? body?.error ?? body?.message;
    if (Array.isArray(field)) detail = field.map(String).join('; ');
    else if (typeof field === 'string') detail = field;
    else if (field && typeof field === 'object' && typeof (field as { message?: unknown }).message === 'string') {
      detail = (field as { message: string }).message;
    }
  } catch {
    // Not JSON: keep the raw text.
  }
  return detail.length > 200 ? `${detail.slice(0, 200)}…` : detail;
}

/** Runs `work`, rejecting as soon as `signal` aborts even if `work` ignores the signal (a custom `fetch`). */
function untilAborted<Result>(signal: AbortSignal, work: () => Promise<Result>): Promise<Result> {
  return new Promise<Result>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function messageOf(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const base = error instanceof Error ? error.message : String(error);
  return cause instanceof Error && cause.message !== base ? `${base} (${cause.message})` : base;
}
