import type { TaskStatus } from './wireTypes.js';

/** Statuses a cancel is accepted from: every one that is not finished (SPEC §2, §7). */
const cancellableStatuses: ReadonlySet<TaskStatus> = new Set([
  'pending',
  'processing',
  'human_review_pending',
  'paused',
]);

/** Whether a cancel of a task in `status` is accepted (the server's `task_not_cancellable` otherwise). */
export function isCancellable(status: TaskStatus): boolean {
  return cancellableStatuses.has(status);
}
