const marker = Symbol.for('roadmap.error');

/** Machine-readable error codes used across the engine and its adapters. */
export type RoadmapErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'forbidden'
  | 'task_not_cancellable'
  | 'task_not_retryable'
  | 'item_not_retryable'
  | 'lease_lost'
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

/** True for the error an aborted `AbortSignal` produces (DOMException `AbortError`, or a reason we threw). */
export function isAbortError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  return name === 'AbortError' || name === 'TimeoutError';
}

/** Creates the error thrown when work stops because its signal aborted. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && isAbortError(reason)) return reason;
  const error = new Error(typeof reason === 'string' ? reason : 'The operation was aborted');
  error.name = 'AbortError';
  return error;
}

/** Human-readable message of any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
