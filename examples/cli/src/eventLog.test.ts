import { computeProgress } from '@roadmap/core/internal';
import { describe, expect, it } from 'vitest';
import { formatEventLine } from './eventLog.js';
import { testEvent } from './testEvents.js';

describe('formatEventLine', () => {
  it('writes one plain line per event, without escape codes', () => {
    const names = { concept_id: 'c1', concept_name: 'Goroutines' };
    const lines = [
      testEvent('progress', {
        step: 'queued',
        status: 'pending',
        message: 'Queued',
        progress: computeProgress(0, 0, 0),
      }),
      testEvent('progress', {
        step: 'intent_analysis',
        status: 'processing',
        message: 'Analysing your goal',
        progress: computeProgress(0, 0, 0),
      }),
      testEvent('concept_start', { ...names, content_type: 'quiz' }),
      testEvent('concept_complete', { ...names, content_type: 'quiz', progress: computeProgress(4, 0, 9) }),
      testEvent('concept_failed', {
        ...names,
        content_type: 'tutorial',
        error: 'bad JSON',
        progress: computeProgress(4, 1, 9),
      }),
      testEvent('cancelled', {
        reason: 'Ctrl-C',
        previous_status: 'processing',
        progress: computeProgress(4, 1, 9),
        aborted_calls: 0,
        kept_items: 0,
        usage: { calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: null },
      }),
      testEvent('cover_updated', { roadmap_id: 'r', status: 'pending', cover_image_url: null }),
    ].map(formatEventLine);
    expect(lines).toEqual([
      '▸ Queued',
      '▸ Intent analysis: Analysing your goal',
      '  … quiz · Goroutines',
      '  ✔ quiz · Goroutines (4/9, 44%)',
      '  ✖ tutorial · Goroutines: bad JSON (5/9, 56%, 1 failed)',
      '⊘ Cancelled: Ctrl-C (5/9, 56%, 1 failed)',
      null,
    ]);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting there is no escape character
    for (const line of lines) expect(line ?? '').not.toMatch(/\u001b/);
  });
});
