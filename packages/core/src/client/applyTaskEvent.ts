import type { RoadmapEvent, TaskSummary } from './wireTypes.js';

type LiveFields = Pick<
  TaskSummary,
  'status' | 'current_step' | 'progress' | 'updated_at' | 'completed_at' | 'error_message' | 'usage'
>;

/** Applies a live event to a task (a list row or a full task); the same object when the event changes nothing. */
export function applyTaskEvent<T extends LiveFields>(task: T, event: RoadmapEvent): T {
  const base = { ...task, updated_at: event.timestamp };
  switch (event.type) {
    case 'progress':
      return { ...base, status: event.status, current_step: event.step, progress: event.progress };
    case 'concept_complete':
    case 'concept_failed':
      return { ...base, progress: event.progress };
    case 'completed':
      return {
        ...base,
        status: event.status,
        current_step: 'completed',
        progress: event.progress,
        completed_at: event.timestamp,
      };
    case 'failed':
      return {
        ...base,
        status: 'failed',
        current_step: 'failed',
        progress: event.progress,
        error_message: event.error,
        completed_at: event.timestamp,
      };
    case 'cancelled':
      return {
        ...base,
        status: 'cancelled',
        current_step: 'cancelled',
        progress: event.progress,
        completed_at: event.timestamp,
      };
    case 'task_recovering':
      return { ...base, current_step: event.current_step };
    case 'review_requested':
      return { ...base, status: 'human_review_pending', current_step: 'human_review' };
    case 'review_submitted':
      return { ...base, status: 'processing' };
    case 'paused':
      return { ...base, status: 'paused' };
    case 'resumed':
      return { ...base, status: 'pending', current_step: 'queued' };
    case 'usage_updated':
      return { ...base, usage: event.usage };
    default:
      return task;
  }
}
