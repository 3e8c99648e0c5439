import type { ContentItem, ContentKind } from '@roadmap/core';

/** How many content items of a roadmap are generated, per kind. */
export interface ContentCounts {
  completed: Record<ContentKind, number>;
  completedTotal: number;
  failed: number;
  total: number;
}

export function countContent(items: readonly Pick<ContentItem, 'kind' | 'status'>[]): ContentCounts {
  const completed: Record<ContentKind, number> = { tutorial: 0, resources: 0, quiz: 0 };
  let failed = 0;
  for (const item of items) {
    if (item.status === 'completed') completed[item.kind] += 1;
    else if (item.status === 'failed') failed += 1;
  }
  return {
    completed,
    completedTotal: completed.tutorial + completed.resources + completed.quiz,
    failed,
    total: items.length,
  };
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "7 of 36 content items (4 tutorials, 2 resources, 1 quiz)". */
export function describeContent(counts: ContentCounts): string {
  const kinds = [
    plural(counts.completed.tutorial, 'tutorial', 'tutorials'),
    plural(counts.completed.resources, 'resources', 'resources'),
    plural(counts.completed.quiz, 'quiz', 'quizzes'),
  ].join(', ');
  return `${counts.completedTotal} of ${counts.total} content items (${kinds})`;
}

export interface KeptInput {
  /** Checkpoint keys stored for the task (`intent`, `curriculum`, `review:0`, …). */
  checkpoints: readonly string[];
  /** Whether the roadmap framework was stored. */
  roadmapStored: boolean;
  /** The roadmap's content items (empty before the framework exists). */
  items: readonly Pick<ContentItem, 'kind' | 'status'>[];
}

/**
 * What a cancelled run kept, as one sentence.
 *
 * @example
 * describeKept({ checkpoints: ['intent', 'curriculum'], roadmapStored: true, items })
 * // "Kept: intent, curriculum, 7 of 36 content items (4 tutorials, 2 resources, 1 quiz)."
 */
export function describeKept(input: KeptInput): string {
  const kept: string[] = [];
  // A stored roadmap was designed from the intent: a finished task's step checkpoints are pruned (SPEC §9).
  if (input.roadmapStored || input.checkpoints.includes('intent')) kept.push('intent');
  if (input.roadmapStored || input.checkpoints.includes('curriculum')) kept.push('curriculum');
  if (input.roadmapStored) kept.push(describeContent(countContent(input.items)));
  return kept.length === 0 ? 'Nothing was generated yet.' : `Kept: ${kept.join(', ')}.`;
}
