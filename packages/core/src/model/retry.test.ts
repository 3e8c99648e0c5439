import { describe, expect, it } from 'vitest';
import { RunAbort } from '../engine/runAbort.js';
import { RoadmapError } from '../shared/errors.js';
import { createManualClock } from '../testing/manualClock.js';
import { defaultRetryPolicy, isRetryableError, withRetry } from './retry.js';

const timeoutError = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

describe('withRetry and timeouts', () => {
  it('retries a call that timed out on its own, never a run’s abort', () => {
    expect(isRetryableError(timeoutError())).toBe(true);
    expect(isRetryableError(new RunAbort('cancelled'))).toBe(false);
    expect(isRetryableError(new RoadmapError('model_error', 'refused'))).toBe(false);
  });

  it('a TimeoutError from the provider is tried again after the backoff and the call succeeds', async () => {
    const clock = createManualClock();
    let calls = 0;
    const result = withRetry(
      async () => {
        calls += 1;
        if (calls === 1) throw timeoutError();
        return 'answer';
      },
      { clock, policy: defaultRetryPolicy, abortSignal: new AbortController().signal },
    );
    await clock.advance(defaultRetryPolicy.minDelayMs);
    await expect(result).resolves.toBe('answer');
    expect(calls).toBe(2);
  });

  it('an abort of the run stops at once, without a retry', async () => {
    const clock = createManualClock();
    const controller = new AbortController();
    let calls = 0;
    const result = withRetry(
      async () => {
        calls += 1;
        controller.abort(new RunAbort('cancelled'));
        throw controller.signal.reason;
      },
      { clock, policy: defaultRetryPolicy, abortSignal: controller.signal },
    );
    await expect(result).rejects.toBeInstanceOf(RunAbort);
    expect(calls).toBe(1);
  });
});
