import type { ContentKind, ItemStatus } from '@roadmap/core';
import { describe, expect, it } from 'vitest';
import { countContent, describeContent, describeKept } from './contentCounts.js';

const item = (kind: ContentKind, status: ItemStatus) => ({ kind, status });

describe('describeKept', () => {
  it('lists the checkpoints and the generated content by kind', () => {
    const items = [
      ...Array.from({ length: 4 }, () => item('tutorial', 'completed')),
      ...Array.from({ length: 2 }, () => item('resources', 'completed')),
      item('quiz', 'completed'),
      item('quiz', 'generating'),
      ...Array.from({ length: 28 }, () => item('tutorial', 'pending')),
    ];
    expect(describeKept({ checkpoints: ['intent', 'curriculum', 'review:0'], roadmapStored: true, items })).toBe(
      'Kept: intent, curriculum, 7 of 36 content items (4 tutorials, 2 resources, 1 quiz).',
    );
  });

  it('names only what exists before the framework', () => {
    expect(describeKept({ checkpoints: ['intent'], roadmapStored: false, items: [] })).toBe('Kept: intent.');
    expect(describeKept({ checkpoints: [], roadmapStored: false, items: [] })).toBe('Nothing was generated yet.');
  });
});

describe('countContent', () => {
  it('counts completed items per kind and failed ones', () => {
    const counts = countContent([item('quiz', 'completed'), item('quiz', 'completed'), item('tutorial', 'failed')]);
    expect(counts).toEqual({
      completed: { tutorial: 0, resources: 0, quiz: 2 },
      completedTotal: 2,
      failed: 1,
      total: 3,
    });
    expect(describeContent(counts)).toBe('2 of 3 content items (0 tutorials, 0 resources, 2 quizzes)');
  });
});
