import { parseRetryAfter } from '../shared/retryAfter.js';
import type { ApiErrorBody, ApiFieldError } from './wireTypes.js';

const marker = Symbol.for('roadmap.apiError');

/**
 * Machine codes of {@link RoadmapApiError}: the server's `code`, or one the client chose when the server sent none.
 * `network_error` (no response) and `invalid_response` (a success body that is not JSON) come from the client.
 */
export type RoadmapApiErrorCode =
  | 'network_error'
  | 'invalid_response'
  | 'invalid_input'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'task_not_cancellable'
  | 'task_not_pausable'
  | 'task_not_paused'
  | 'budget_exceeded'
  | 'task_not_in_review'
  | 'task_not_retryable'
  | 'item_not_retryable'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'http_error'
  | (string & {});

export interface RoadmapApiErrorOptions {
  /** HTTP status; `0` when no response arrived. */
  status: number;
  code: RoadmapApiErrorCode;
  /** Field-level problems of a `400`. Default: `[]`. */
  errors?: ApiFieldError[];
  /** From the `Retry-After` (or `retry-after-ms`) header, in whole seconds, rounded up. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/**
 * A failed request of `@roadmap/core/client`. Check with {@link RoadmapApiError.isInstance}, which survives two
 * copies of the package (the marker is a global symbol), unlike `instanceof`.
 */
export class RoadmapApiError extends Error {
  /** HTTP status; `0` for a network failure. */
  readonly status: number;
  readonly code: RoadmapApiErrorCode;
  /** The server's message for people (also the error's `message`). */
  readonly detail: string;
  readonly errors: ApiFieldError[];
  /** How long the server asks to wait before repeating (`429`), `undefined` when it did not say. */
  readonly retryAfterSeconds: number | undefined;

  constructor(detail: string, options: RoadmapApiErrorOptions) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RoadmapApiError';
    Object.defineProperty(this, marker, { value: true });
    this.status = options.status;
    this.code = options.code;
    this.detail = detail;
    this.errors = options.errors ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  static isInstance(error: unknown): error is RoadmapApiError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

const codeByStatus: Record<number, string> = {
  400: 'invalid_input',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** Maps a non-2xx response to a {@link RoadmapApiError}, reading the `{ detail, code, errors? }` body when present. */
export async function errorFromResponse(response: Response): Promise<RoadmapApiError> {
  let body: Partial<ApiErrorBody> = {};
  try {
    const parsed: unknown = JSON.parse(await response.text());
    if (typeof parsed === 'object' && parsed !== null) body = parsed;
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): fall back to the status.
  }
  const { status } = response;
  const retryAfterMs = parseRetryAfter(response.headers);
  const retryAfterSeconds = retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000);
  return new RoadmapApiError(typeof body.detail === 'string' ? body.detail : `HTTP ${status}`, {
    status,
    code: typeof body.code === 'string' ? body.code : (codeByStatus[status] ?? 'http_error'),
    ...(Array.isArray(body.errors) ? { errors: body.errors } : {}),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}
