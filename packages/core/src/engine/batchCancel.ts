import { cancellableStatuses, type TaskStatus } from '../domain/task.js';
import { RoadmapError } from '../shared/errors.js';

/** Most task ids one batch cancel names (SPEC §7). */
export const maxBatchCancelIds = 100;

/** The statuses a batch cancel by status selects: `active` is every cancellable status. */
export type BatchCancelStatus = 'pending' | 'processing' | 'active';

/** Which of the caller's tasks a batch cancel selects: named ids (1–100), or every task in a status. */
export type BatchCancelSelection = { taskIds: readonly string[] } | { status: BatchCancelStatus };

/** What a batch cancel did to each selected task, in the order they were named (SPEC §7). */
export interface BatchCancelResult {
  /** Cancelled now: each with its one `cancelled` event and its in-flight calls aborted. */
  cancelled: string[];
  /** The caller's tasks that had already finished (or were cancelled before). */
  notCancellable: string[];
  /** Unknown ids, and ids of other users' tasks (never told apart, so a batch reveals nothing). */
  notFound: string[];
}

/** Tasks cancelled at once within one batch: their broadcasts and item resets overlap. */
const parallelCancels = 8;
/** Tasks read per listing when cancelling by status. */
const statusPageSize = 100;

/** The statuses a status selection stands for. */
export function statusesOf(status: BatchCancelStatus): readonly TaskStatus[] {
  return status === 'active' ? cancellableStatuses : [status];
}

/** Checks a selection: 1–100 ids (repeats counted once), or a known status. Throws `invalid_input`. */
export function checkBatchCancelSelection(selection: BatchCancelSelection): BatchCancelSelection {
  if ('taskIds' in selection) {
    const taskIds = [...new Set(selection.taskIds)];
    if (taskIds.length === 0 || taskIds.length > maxBatchCancelIds) {
      throw new RoadmapError('invalid_input', `A batch cancel names 1 to ${maxBatchCancelIds} task ids.`);
    }
    return { taskIds };
  }
  if (!['pending', 'processing', 'active'].includes(selection.status)) {
    throw new RoadmapError('invalid_input', 'A batch cancel by status takes pending, processing or active.');
  }
  return selection;
}

/**
 * Cancels each id with `cancel` (one single cancel each: compare-and-set, one event, calls aborted), at most 8 at a
 * time, and sorts the ids by outcome. An infrastructure error stops the batch and is thrown; what was cancelled
 * before it stays cancelled.
 */
export async function cancelEach(
  taskIds: readonly string[],
  cancel: (taskId: string) => Promise<unknown>,
): Promise<BatchCancelResult> {
  const outcomes = new Array<keyof BatchCancelResult>(taskIds.length);
  let next = 0;
  const lane = async () => {
    while (next < taskIds.length) {
      const index = next;
      next += 1;
      outcomes[index] = await outcomeOf(() => cancel(taskIds[index] as string));
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelCancels, taskIds.length) }, lane));
  const result: BatchCancelResult = { cancelled: [], notCancellable: [], notFound: [] };
  taskIds.forEach((taskId, index) => {
    result[outcomes[index] as keyof BatchCancelResult].push(taskId);
  });
  return result;
}

async function outcomeOf(cancel: () => Promise<unknown>): Promise<keyof BatchCancelResult> {
  try {
    await cancel();
    return 'cancelled';
  } catch (error) {
    if (RoadmapError.isInstance(error)) {
      if (error.code === 'not_found' || error.code === 'forbidden') return 'notFound';
      if (error.code === 'task_not_cancellable') return 'notCancellable';
    }
    throw error;
  }
}

/**
 * Cancels every task of the caller in the selected statuses, page by page: each page is read afresh from the
 * first (cancelled tasks leave the selection), until a page holds no task not tried yet.
 */
export async function cancelByStatus(
  listPage: (limit: number) => Promise<readonly string[]>,
  cancel: (taskId: string) => Promise<unknown>,
): Promise<BatchCancelResult> {
  const tried = new Set<string>();
  const result: BatchCancelResult = { cancelled: [], notCancellable: [], notFound: [] };
  for (;;) {
    const fresh = (await listPage(statusPageSize)).filter((taskId) => !tried.has(taskId));
    if (fresh.length === 0) return result;
    for (const taskId of fresh) tried.add(taskId);
    const page = await cancelEach(fresh, cancel);
    result.cancelled.push(...page.cancelled);
    result.notCancellable.push(...page.notCancellable);
    result.notFound.push(...page.notFound);
  }
}
