import { abortError } from './errors.js';

/**
 * Source of time for the engine. Injected so that tests control leases, heartbeats and backoff
 * deterministically (see `createManualClock` in `@roadmap/core/testing`).
 */
export interface Clock {
  readonly specificationVersion: 'v1';
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Runs `callback` after `delayMs`; returns a function that cancels it. With `background: true` the timer does not
   * keep a Node.js process alive (used for periodic sweeps).
   */
  setTimeout(callback: () => void, delayMs: number, options?: { background?: boolean }): () => void;
}

/** The real clock: `Date.now` and the platform timers. */
export const systemClock: Clock = {
  specificationVersion: 'v1',
  now: () => Date.now(),
  setTimeout(callback, delayMs, options) {
    const handle = setTimeout(callback, delayMs);
    if (options?.background && typeof handle === 'object' && handle !== null && 'unref' in handle) handle.unref();
    return () => clearTimeout(handle);
  },
};

/** Waits `delayMs` on `clock`; rejects with an `AbortError` as soon as `signal` aborts. */
export function sleep(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  if (delayMs <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      cancel();
      reject(abortError(signal as AbortSignal));
    };
    const cancel = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** ISO-8601 UTC timestamp of a clock reading (the original stored naive local time; we never do). */
export function isoTime(milliseconds: number): string {
  // Many records of one moment share a reading (an item, its task patch and its event): format it once.
  if (milliseconds !== lastFormatted.milliseconds) {
    lastFormatted.milliseconds = milliseconds;
    lastFormatted.text = new Date(milliseconds).toISOString();
  }
  return lastFormatted.text;
}
const lastFormatted = { milliseconds: Number.NaN, text: '' };
