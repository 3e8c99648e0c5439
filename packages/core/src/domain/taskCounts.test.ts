import { describe, expect, it } from 'vitest';
import { emptyTaskCounts, taskCountsFrom, totalOf } from './taskCounts.js';

describe('task counts', () => {
  it('emptyTaskCounts has every status at 0, and each call is a new object', () => {
    const counts = emptyTaskCounts();
    expect(counts).toEqual({
      pending: 0,
      processing: 0,
      completed: 0,
      failed: 0,
      partial_failure: 0,
      cancelled: 0,
      human_review_pending: 0,
      paused: 0,
    });
    counts.pending = 3;
    expect(emptyTaskCounts().pending).toBe(0);
  });

  it('taskCountsFrom reads grouped rows (bigint strings too); missing statuses are 0, unknown ones dropped', () => {
    const counts = taskCountsFrom([
      { status: 'pending', count: 2 },
      { status: 'cancelled', count: '7' },
      { status: 'archived', count: 4 },
      { status: 'toString', count: 1 },
    ]);
    expect(counts).toEqual({ ...emptyTaskCounts(), pending: 2, cancelled: 7 });
  });

  it('totalOf sums every status without a filter, and each filtered status once', () => {
    const counts = { ...emptyTaskCounts(), pending: 2, processing: 1, cancelled: 4 };
    expect(totalOf(counts)).toBe(7);
    expect(totalOf(counts, ['processing', 'cancelled'])).toBe(5);
    expect(totalOf(counts, ['cancelled', 'cancelled', 'completed'])).toBe(4);
    expect(totalOf(counts, [])).toBe(0);
  });
});
