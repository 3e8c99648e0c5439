import { describe, expect, it } from 'vitest';
import { RunAbort } from '../engine/runAbort.js';
import { abortError, isAbortError, isInfrastructureFault, isTimeoutError, RoadmapError } from './errors.js';

const timeoutError = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

describe('aborts, timeouts and infrastructure faults', () => {
  it('an abort is what someone stopped: AbortError and the run’s own reasons, never a timeout', () => {
    const controller = new AbortController();
    controller.abort();
    expect(isAbortError(abortError(controller.signal))).toBe(true);
    for (const kind of ['cancelled', 'stopping', 'crashed', 'lease_lost'] as const) {
      expect(isAbortError(new RunAbort(kind))).toBe(true);
      expect(isInfrastructureFault(new RunAbort(kind))).toBe(false);
    }
    expect(isAbortError(timeoutError())).toBe(false);
    expect(isAbortError(new RoadmapError('timeout', 'slow'))).toBe(false);
  });

  it('a call that timed out on its own is a timeout and an infrastructure fault', () => {
    expect(isTimeoutError(timeoutError())).toBe(true);
    expect(isTimeoutError(new RoadmapError('timeout', 'slow', { retryable: true }))).toBe(true);
    expect(isInfrastructureFault(timeoutError())).toBe(true);
    const timedOut = AbortSignal.timeout(0);
    return new Promise<void>((resolve) => {
      timedOut.addEventListener('abort', () => {
        expect(isTimeoutError(timedOut.reason)).toBe(true);
        expect(isAbortError(abortError(timedOut))).toBe(false);
        resolve();
      });
    });
  });

  it('storage and queue errors are infrastructure faults; the model’s and the content’s own failures are not', () => {
    expect(isInfrastructureFault(new RoadmapError('storage_error', 'SQLITE_BUSY', { retryable: true }))).toBe(true);
    expect(isInfrastructureFault(new RoadmapError('storage_error', 'disk full'))).toBe(true);
    expect(isInfrastructureFault(new RoadmapError('queue_error', 'Redis down'))).toBe(true);
    for (const code of ['model_error', 'rate_limited', 'schema_validation_failed', 'structure_invalid'] as const) {
      expect(isInfrastructureFault(new RoadmapError(code, code, { retryable: true }))).toBe(false);
    }
    expect(isInfrastructureFault(new Error('boom'))).toBe(false);
  });
});
