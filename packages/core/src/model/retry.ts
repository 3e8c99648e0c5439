import pRetry from 'p-retry';
import { type Clock, sleep } from '../shared/clock.js';
import { isAbortError, isTimeoutError, RoadmapError } from '../shared/errors.js';

/** How transient provider errors (429, 5xx, timeouts) are retried. */
export interface RetryPolicy {
  /** Retries after the first attempt. Default: 3. */
  retries: number;
  /** Delay before the first retry, doubled each time. Default: 500 ms. */
  minDelayMs: number;
  /** Upper bound of the computed delay (a provider's `retry-after` may exceed it, up to 60 s). Default: 8000 ms. */
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { retries: 3, minDelayMs: 500, maxDelayMs: 8000 };

const retryAfterCapMs = 60_000;

/**
 * True for errors worth repeating: retryable `RoadmapError`s, a call that timed out on its own (`TimeoutError`), and
 * errors carrying HTTP 408/409/429/5xx. Never an abort: a cancelled or stopped run tries nothing again.
 */
export function isRetryableError(error: unknown): boolean {
  if (isAbortError(error)) return false;
  if (RoadmapError.isInstance(error)) return error.retryable;
  if (isTimeoutError(error)) return true;
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && (status === 408 || status === 409 || status === 429 || status >= 500);
}

/** Wait before retry number `retryNumber` (1-based): the provider's `retry-after` when given, else exponential. */
export function retryDelay(error: unknown, retryNumber: number, policy: RetryPolicy): number {
  const exponential = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** (retryNumber - 1));
  const retryAfter = RoadmapError.isInstance(error) ? error.retryAfterMs : undefined;
  if (retryAfter !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) {
    return Math.min(retryAfterCapMs, retryAfter);
  }
  return exponential;
}

/**
 * Runs `operation`, retrying transient errors with backoff on `clock` (p-retry decides, our clock waits, so
 * tests with a manual clock stay deterministic). Aborting `signal` stops both the wait and the retries. The first
 * attempt runs directly, so the common case pays nothing for retry bookkeeping.
 */
export async function withRetry<Result>(
  operation: () => Promise<Result>,
  options: { clock: Clock; policy: RetryPolicy; abortSignal: AbortSignal },
): Promise<Result> {
  const { clock, policy, abortSignal } = options;
  abortSignal.throwIfAborted();
  let firstError: unknown;
  try {
    return await operation();
  } catch (error) {
    if (abortSignal.aborted || policy.retries <= 0 || !isRetryableError(error)) throw error;
    firstError = error;
  }
  await sleep(clock, retryDelay(firstError, 1, policy), abortSignal);
  return pRetry(
    async () => {
      abortSignal.throwIfAborted();
      return operation();
    },
    {
      retries: policy.retries - 1,
      minTimeout: 0,
      maxTimeout: 0,
      signal: abortSignal,
      shouldRetry: async ({ error, retriesConsumed }) => {
        if (abortSignal.aborted || !isRetryableError(error)) return false;
        await sleep(clock, retryDelay(error, retriesConsumed + 2, policy), abortSignal);
        return true;
      },
    },
  );
}
