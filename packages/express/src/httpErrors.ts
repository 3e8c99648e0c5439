import { type ApiErrorBody, type ApiFieldError, RoadmapError, type RoadmapErrorCode } from '@roadmap/core';
import type { ErrorRequestHandler, Request, Response } from 'express';

/** An error the router answers with `status` and `body` as they are. */
export class HttpError extends Error {
  readonly status: number;
  readonly body: ApiErrorBody;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    body: ApiErrorBody,
    headers: Record<string, string> = {},
    options: { cause?: unknown } = {},
  ) {
    super(body.detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** A 400 `invalid_input` with field-level problems. */
export function invalidInput(detail: string, errors: ApiFieldError[]): HttpError {
  return new HttpError(400, { detail, code: 'invalid_input', errors });
}

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

/** Errors of body-parser (and the router's parameter decoding) by their `type`, or status for untyped ones. */
const parserErrors: Record<string, { status: number; code: string; detail: string }> = {
  'entity.parse.failed': { status: 400, code: 'invalid_json', detail: 'The request body is not valid JSON.' },
  'entity.too.large': { status: 413, code: 'payload_too_large', detail: 'The request body is too large.' },
  'encoding.unsupported': {
    status: 415,
    code: 'unsupported_media_type',
    detail: 'The request body has an unsupported Content-Encoding.',
  },
  'charset.unsupported': {
    status: 415,
    code: 'unsupported_media_type',
    detail: 'The request body has an unsupported charset.',
  },
  'request.aborted': { status: 400, code: 'bad_request', detail: 'The request was aborted.' },
  'request.size.invalid': { status: 400, code: 'bad_request', detail: 'The request body length is wrong.' },
  'stream.encoding.set': { status: 500, code: 'internal_error', detail: 'Internal server error.' },
  'stream.not.readable': { status: 500, code: 'internal_error', detail: 'Internal server error.' },
};

const internalError: ApiErrorBody = { detail: 'Internal server error.', code: 'internal_error' };

/** What the router answers for a thrown value: status, body and extra headers. Never exposes a stack. */
export function toHttpResponse(error: unknown): {
  status: number;
  body: ApiErrorBody;
  headers: Record<string, string>;
} {
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
    const { type, status, expose } = error as { type?: unknown; status?: unknown; expose?: unknown };
    const known = typeof type === 'string' ? parserErrors[type] : undefined;
    if (known) return { status: known.status, body: { detail: known.detail, code: known.code }, headers: {} };
    // Other client errors raised by Express itself (http-errors, or the URIError of a malformed `%` escape).
    if (typeof status === 'number' && status >= 400 && status < 500 && expose !== false) {
      return { status, body: { detail: 'The request is malformed.', code: 'bad_request' }, headers: {} };
    }
  }
  return { status: 500, body: internalError, headers: {} };
}

/** Sends an error response. */
export function sendError(response: Response, error: unknown): void {
  const { status, body, headers } = toHttpResponse(error);
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.status(status).json(body);
}

/**
 * The router's final error handler: known errors become their status (SPEC §3), anything else a 500 with a generic
 * detail; `onError` receives every 5xx with its request.
 */
export function createErrorHandler(onError: (error: unknown, request: Request) => void): ErrorRequestHandler {
  return (error, request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const { status } = toHttpResponse(error);
    if (status >= 500) {
      try {
        onError(error, request);
      } catch {
        // A failing logger must not turn into another error.
      }
    }
    sendError(response, error);
  };
}
