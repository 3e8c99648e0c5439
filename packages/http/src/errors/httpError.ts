import type { ApiErrorBody, ApiFieldError } from '@roadmap/core';

/** An error answered with `status`, `body` and `headers` as they are, by the fetch handler and by Express alike. */
export class HttpError extends Error {
  /** The HTTP status answered. */
  readonly status: number;
  /** The JSON body answered: `{ detail, code, errors? }` (SPEC §3). */
  readonly body: ApiErrorBody;
  /** Extra response headers (`Retry-After`, `Allow`, …). */
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
