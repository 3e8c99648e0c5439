/** Longest delay `setTimeout` keeps (about 24.8 days); a later expiry is waited for in steps of it. */
const maxTimerDelayMs = 2 ** 31 - 1;

/**
 * Calls `close` once `expiresAt` (ms since the epoch, on `now`'s clock) has passed — at the earliest on a later
 * turn of the event loop, never during this call — and returns the function that cancels it. The timer does not
 * keep the process alive.
 */
export function closeAtExpiry(expiresAt: number, now: () => number, close: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    timer = setTimeout(check, Math.max(0, Math.min(expiresAt - now(), maxTimerDelayMs)));
    (timer as { unref?: () => void }).unref?.();
  };
  const check = () => {
    timer = undefined;
    if (expiresAt - now() <= 0) close();
    else schedule();
  };
  schedule();
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
}
