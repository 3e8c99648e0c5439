import type { Progress, RoadmapEvent } from '@roadmap/core';
import { pipelineSteps } from './progressState.js';
import { stepLabels } from './progressView.js';

function counts(progress: Progress): string {
  const failed = progress.failed > 0 ? `, ${progress.failed} failed` : '';
  return `${progress.completed + progress.failed}/${progress.total}, ${progress.percentage}%${failed}`;
}

/**
 * One plain line per event, for logs and pipes (no escape codes), or `null` for events not worth a line.
 *
 * @example
 * formatEventLine(event) // "✔ tutorial · Ownership (4/36, 11%)"
 */
export function formatEventLine(event: RoadmapEvent): string | null {
  switch (event.type) {
    case 'progress': {
      const label = (pipelineSteps as readonly string[]).includes(event.step)
        ? stepLabels[event.step as keyof typeof stepLabels]
        : event.step === 'queued'
          ? 'Queued'
          : event.step;
      return event.message && event.message !== label ? `▸ ${label}: ${event.message}` : `▸ ${label}`;
    }
    case 'concept_start':
      return `  … ${event.content_type} · ${event.concept_name}`;
    case 'concept_complete':
      return `  ✔ ${event.content_type} · ${event.concept_name} (${counts(event.progress)})`;
    case 'concept_failed':
      return `  ✖ ${event.content_type} · ${event.concept_name}: ${event.error ?? 'failed'} (${counts(event.progress)})`;
    case 'completed':
      return event.status === 'completed'
        ? `✔ Completed (${counts(event.progress)})`
        : `✖ Finished with failures (${counts(event.progress)})`;
    case 'failed':
      return `✖ Failed during ${event.step}: ${event.error}`;
    case 'cancelled':
      return `⊘ Cancelled${event.reason ? `: ${event.reason}` : ''} (${counts(event.progress)})`;
    case 'task_recovering':
      return `↻ Recovering the task at ${event.current_step}`;
    case 'cover_updated':
      return null;
    case 'review_requested':
      return `? Waiting for review of the proposed roadmap (round ${event.round})`;
    case 'review_submitted':
      return event.approved ? '✔ Review approved' : `↺ Changes requested: ${event.feedback ?? ''}`;
    case 'paused':
      return `‖ Paused${event.reason === 'budget' ? ' (budget used up)' : ''}`;
    case 'resumed':
      return '▸ Resumed';
    case 'item_regenerated':
      return `  ↻ ${event.content_type} · ${event.concept_id}: version ${event.version}`;
    case 'deleted':
      return '✖ Deleted';
    case 'usage_updated':
    case 'content_delta':
      return null;
  }
}
