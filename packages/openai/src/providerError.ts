import { RoadmapError } from '@roadmap/core';
import { abortError, errorMessage, parseRetryAfter } from '@roadmap/core/internal';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

export interface ProviderErrorContext {
  /** What was being done, for the message: `Chat completion`, `Image generation`. */
  action: string;
  /** Code of errors that are neither rate limits nor timeouts: `model_error` or `provider_error`. */
  failureCode: 'model_error' | 'provider_error';
  /** The caller's signal: when it aborted, any error becomes an `AbortError`. */
  abortSignal: AbortSignal;
}

/**
 * True when `error` is an instance of the SDK class `type`, also across two copies of the `openai` package
 * (a client the user brought may come from another version).
 */
function isSdkError<Type extends abstract new (...args: never[]) => Error>(
  error: unknown,
  type: Type,
): error is InstanceType<Type> {
  if (error instanceof type) return true;
  let prototype: unknown = typeof error === 'object' && error !== null ? Object.getPrototypeOf(error) : null;
  while (prototype !== null && prototype !== Object.prototype) {
    if ((prototype as { constructor?: { name?: string } }).constructor?.name === type.name) return true;
    prototype = Object.getPrototypeOf(prototype);
  }
  return false;
}

/** The API's own message (`error.message` of the body), without the SDK's status prefix. */
function apiMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (typeof body?.message === 'string' && body.message.length > 0) return body.message;
  return error.message;
}

/**
 * Maps an error of the `openai` SDK to what the engine understands: an `AbortError` when the call was aborted, a
 * retryable `RoadmapError` for 429 (`rate_limited`, with `retryAfterMs` from the headers), 408, 409, 5xx,
 * connection failures and timeouts (`timeout`), and a non-retryable one carrying the API's message otherwise.
 */
export function toRoadmapError(error: unknown, context: ProviderErrorContext): Error {
  const { action, failureCode, abortSignal } = context;
  if (abortSignal.aborted) return abortError(abortSignal);
  if (isSdkError(error, APIUserAbortError)) {
    const abort = new Error(`${action} was aborted`, { cause: error });
    abort.name = 'AbortError';
    return abort;
  }
  if (RoadmapError.isInstance(error)) return error;
  if (isSdkError(error, APIConnectionTimeoutError)) {
    return new RoadmapError('timeout', `${action} timed out`, { cause: error, retryable: true });
  }
  if (isSdkError(error, APIConnectionError)) {
    return new RoadmapError(failureCode, `${action} failed: could not reach the server (${errorMessage(error)})`, {
      cause: error,
      retryable: true,
    });
  }
  if (isSdkError(error, APIError) && typeof error.status === 'number') {
    const statusCode = error.status;
    const message = `${action} failed (${statusCode}): ${apiMessage(error)}`;
    const waitMs = parseRetryAfter(error.headers);
    if (statusCode === 429) {
      return new RoadmapError('rate_limited', message, {
        cause: error,
        retryable: true,
        retryAfterMs: waitMs,
        statusCode,
      });
    }
    const retryable = statusCode === 408 || statusCode === 409 || statusCode >= 500;
    return new RoadmapError(failureCode, message, {
      cause: error,
      retryable,
      retryAfterMs: retryable ? waitMs : undefined,
      statusCode,
    });
  }
  return new RoadmapError(failureCode, `${action} failed: ${errorMessage(error)}`, { cause: error });
}

/** True for a 400 whose message is about `parameter` (e.g. `response_format`): the server does not support it. */
export function isRejectedParameter(error: unknown, pattern: RegExp): boolean {
  if (!isSdkError(error, APIError) || error.status !== 400) return false;
  return (typeof error.param === 'string' && pattern.test(error.param)) || pattern.test(apiMessage(error));
}
