const marker = Symbol.for('roadmap.error');

/** Machine-readable error codes used across the engine and its adapters. */
export type RoadmapErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'forbidden'
  | 'task_not_cancellable'
  | 'task_not_pausable'
  | 'task_not_paused'
  | 'budget_exceeded'
  | 'task_not_in_review'
  | 'task_not_retryable'
  | 'item_not_retryable'
  | 'lease_lost'
  | 'roadmap_id_taken'
  | 'schema_validation_failed'
  | 'model_error'
  | 'rate_limited'
  | 'timeout'
  | 'structure_invalid'
  | 'too_many_attempts'
  | 'storage_error'
  | 'queue_error'
  | 'engine_stopped'
  | 'unsupported_adapter_version'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'provider_error';

export interface RoadmapErrorOptions {
  /** The error that caused this one. */
  cause?: unknown;
  /** Whether repeating the same operation may succeed (429, 5xx, timeouts). Default: false. */
  retryable?: boolean;
  /** Server-suggested wait before a retry, in milliseconds (from a `retry-after` header). */
  retryAfterMs?: number;
  /** HTTP status code, when the error came from an HTTP provider. */
  statusCode?: number;
  /** Field-level problems of invalid input (`path` is dotted, e.g. `preferences.learning_goal`). */
  errors?: ReadonlyArray<{ path: string; message: string }>;
}

/**
 * Base error of Roadmap Kit. Checks with {@link RoadmapError.isInstance} survive two copies of the package
 * (the marker is a global symbol), unlike `instanceof`.
 */
export class RoadmapError extends Error {
  readonly code: RoadmapErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly statusCode: number | undefined;
  readonly errors: ReadonlyArray<{ path: string; message: string }>;

  constructor(code: RoadmapErrorCode, message: string, options: RoadmapErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RoadmapError';
    Object.defineProperty(this, marker, { value: true, enumerable: false });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.statusCode = options.statusCode;
    this.errors = options.errors ?? [];
  }

  static isInstance(error: unknown): error is RoadmapError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

function errorName(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
}

/**
 * True for the error an aborted `AbortSignal` produces when someone stopped the work: a DOMException `AbortError`,
 * or a reason named so (the engine's cancel, stop, crash and lost-lease reasons). A `TimeoutError` is not one: a
 * call that ran out of time on its own (`AbortSignal.timeout`) was not stopped by anyone and may be tried again
 * (see `isTimeoutError`).
 */
export function isAbortError(error: unknown): boolean {
  return errorName(error) === 'AbortError';
}

/** True for a call that timed out on its own: `RoadmapError('timeout')`, or a `TimeoutError` (`AbortSignal.timeout`). */
export function isTimeoutError(error: unknown): boolean {
  if (RoadmapError.isInstance(error)) return error.code === 'timeout';
  return errorName(error) === 'TimeoutError';
}

/**
 * True for a fault of the infrastructure rather than of the task (SPEC §2): a storage error, a queue error, or a
 * call that timed out on its own. A run that meets one gives its task back to `pending` with backoff instead of
 * failing it or its content; only the model's or the content's own failures count toward `failureThreshold`.
 */
export function isInfrastructureFault(error: unknown): boolean {
  if (RoadmapError.isInstance(error)) {
    return error.code === 'storage_error' || error.code === 'queue_error' || error.code === 'timeout';
  }
  return isTimeoutError(error);
}

/** Creates the error thrown when work stops because its signal aborted (its reason, when that is an abort or timeout). */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && (isAbortError(reason) || errorName(reason) === 'TimeoutError')) return reason;
  const error = new Error(typeof reason === 'string' ? reason : 'The operation was aborted');
  error.name = 'AbortError';
  return error;
}

/** Human-readable message of any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
