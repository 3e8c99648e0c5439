import { type ApiErrorBody, RoadmapError, type RoadmapErrorCode } from '@roadmap/core';
import { HttpError } from './httpError.js';

/** HTTP status of each `RoadmapError` code a client can cause; every other code is a server fault (500). */
export const statusOfErrorCode: Partial<Record<RoadmapErrorCode, number>> = {
  invalid_input: 400,
  task_not_cancellable: 400,
  task_not_pausable: 400,
  task_not_paused: 400,
  task_not_in_review: 400,
  task_not_retryable: 400,
  item_not_retryable: 400,
  budget_exceeded: 402,
  unsupported_media_type: 400,
  forbidden: 403,
  not_found: 404,
  payload_too_large: 413,
  rate_limited: 429,
};

const internalError: ApiErrorBody = { detail: 'Internal server error.', code: 'internal_error' };

/** What a thrown value is answered with: status, JSON body and extra headers. */
export interface ErrorResponse {
  /** HTTP status: 4xx for a client's mistake, 5xx only for a server fault. */
  status: number;
  /** `{ detail, code, errors? }`; a 500's detail is generic and never exposes the error. */
  body: ApiErrorBody;
  /** Extra headers (`Retry-After` of a 429 or 503). */
  headers: Record<string, string>;
}

/**
 * What the API answers for a thrown value: an {@link HttpError} as it is, a `RoadmapError` by its code
 * ({@link statusOfErrorCode}, `Retry-After` on 429), a 4xx a host's router raised itself (a malformed `%` escape in a
 * path) as `bad_request`, anything else a 500 with a generic detail. Never exposes a stack.
 */
export function toHttpResponse(error: unknown): ErrorResponse {
  if (error instanceof HttpError) return { status: error.status, body: error.body, headers: error.headers };
  if (RoadmapError.isInstance(error)) {
    const status = statusOfErrorCode[error.code];
    if (status === undefined) return { status: 500, body: internalError, headers: {} };
    const body: ApiErrorBody = { detail: error.message, code: error.code };
    if (error.errors.length > 0) body.errors = error.errors.map(({ path, message }) => ({ path, message }));
    const headers: Record<string, string> = {};
    if (status === 429) headers['Retry-After'] = String(Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000)));
    return { status, body, headers };
  }
  if (typeof error === 'object' && error !== null) {
    const { status, expose } = error as { status?: unknown; expose?: unknown };
    // Client errors raised by a host's router itself (http-errors, or the URIError of a malformed `%` escape).
    if (typeof status === 'number' && status >= 400 && status < 500 && expose !== false) {
      return { status, body: { detail: 'The request is malformed.', code: 'bad_request' }, headers: {} };
    }
  }
  return { status: 500, body: internalError, headers: {} };
}
