import type { Clock } from '../shared/clock.js';

/**
 * Runs `sweep` every `intervalMs` on `clock` in the background (a timer that does not keep the process alive): the
 * first run one interval from now, each next one an interval after the previous settled, so runs never overlap. A
 * failed run goes to `onError` and the next one runs as planned. Returns the function that stops it; a run in
 * flight then finishes, and nothing is scheduled after it.
 */
export function repeatInBackground(
  clock: Clock,
  intervalMs: number,
  sweep: () => Promise<unknown>,
  onError: (error: unknown) => void,
): () => void {
  let running = true;
  let cancelTimer: (() => void) | undefined;
  const schedule = () => {
    cancelTimer = clock.setTimeout(
      () => {
        if (!running) return;
        sweep()
          .catch(onError)
          .finally(() => {
            if (running) schedule();
          });
      },
      intervalMs,
      { background: true },
    );
  };
  schedule();
  return () => {
    running = false;
    cancelTimer?.();
    cancelTimer = undefined;
  };
}
