import type { Clock } from '../shared/clock.js';
import { errorMessage, RoadmapError } from '../shared/errors.js';

/** Attempts after the first for a side effect that follows a stored state change. */
const retries = 5;
/** Wait before the first retry; doubled for each next one (1 s, 2 s, 4 s, 8 s, 16 s). */
const firstDelayMs = 1_000;

export interface SideEffectRetryOptions {
  clock: Clock;
  /** Receives every failed attempt, as a `queue_error` naming the side effect. */
  onError(error: unknown): void;
  /** True once the engine stopped: no more retries are scheduled. */
  stopped(): boolean;
}

/**
 * Runs a side effect that follows a stored state change (an enqueue, a cancel broadcast, an item reset) and, when
 * it fails, retries it in the background with backoff. It never throws: the state is already decided and stored,
 * so the command that changed it has succeeded — and what retries cannot fix is covered elsewhere (the recovery
 * sweep requeues stale pending tasks; a worker finds `cancelled` in storage at its next heartbeat). Resolves after
 * the first attempt with whether it succeeded.
 */
export async function runSideEffect(
  options: SideEffectRetryOptions,
  what: string,
  work: () => Promise<unknown>,
): Promise<boolean> {
  const attempt = async (remaining: number, delayMs: number): Promise<boolean> => {
    try {
      await work();
      return true;
    } catch (error) {
      const willRetry = remaining > 0 && !options.stopped();
      options.onError(
        new RoadmapError('queue_error', `${what} failed: ${errorMessage(error)}${willRetry ? '; retrying' : ''}`, {
          cause: error,
        }),
      );
      if (willRetry) {
        options.clock.setTimeout(() => void attempt(remaining - 1, delayMs * 2), delayMs, { background: true });
      }
      return false;
    }
  };
  return attempt(retries, firstDelayMs);
}
