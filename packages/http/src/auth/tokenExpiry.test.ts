import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeAtExpiry } from './tokenExpiry.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('closeAtExpiry', () => {
  it('closes once the expiry has passed, not before', async () => {
    const close = vi.fn();
    closeAtExpiry(60_000, Date.now, close);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(close).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('closes a connection whose token already expired on the next turn, never during the call', async () => {
    const close = vi.fn();
    closeAtExpiry(-1, Date.now, close);
    expect(close).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(0);
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('waits out an expiry beyond what one timer holds (~24.8 days) in steps', async () => {
    const close = vi.fn();
    const thirtyDays = 30 * 24 * 3_600_000;
    closeAtExpiry(thirtyDays, Date.now, close);
    await vi.advanceTimersByTimeAsync(2 ** 31 - 1);
    expect(close).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(thirtyDays - (2 ** 31 - 1));
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('closes nothing once cancelled', async () => {
    const close = vi.fn();
    const cancel = closeAtExpiry(1_000, Date.now, close);
    cancel();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(close).not.toHaveBeenCalled();
  });
});
