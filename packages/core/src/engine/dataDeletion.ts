import type { BlobStore } from '../covers/blobStore.js';
import type { NewRoadmapEvent, RoadmapEvent, RoadmapEventPayloads, RoadmapEventType } from '../domain/events.js';
import { cancellableStatuses, type TaskRecord } from '../domain/task.js';
import { RoadmapError } from '../shared/errors.js';
import type { DeletedRows } from '../storage/dataLifecycleStore.js';
import type { Storage } from '../storage/storage.js';

/** What erasing a user deleted (SPEC §9 `DELETE /me`): rows per kind, and blobs deleted from the blob store. */
export interface DeletedUserData extends DeletedRows {
  blobs: number;
}

/** What deleting needs from the engine. */
export interface DataDeletionContext {
  storage: Storage;
  blobStore: BlobStore;
  /** The task, or `not_found` / `forbidden` (another user's) as every command throws. */
  requireTask(taskId: string, options: { userId?: string }): Promise<TaskRecord>;
  /** Cancels an active task the way `engine.cancel` does: in-flight calls aborted here and in other processes. */
  cancel(taskId: string, reason: string): Promise<unknown>;
  /** Resolves once no run of the task is left in this process (the cancel aborted it). */
  whenStopped(taskId: string): Promise<void>;
  /** Aborts a cover generation of the task in this process (a finished task's cover may be generating). */
  abortCover(taskId: string): void;
  eventFor<Type extends RoadmapEventType>(
    type: Type,
    payload: (task: TaskRecord) => RoadmapEventPayloads[Type],
  ): (task: TaskRecord) => NewRoadmapEvent;
  emit(stored: RoadmapEvent | null): void;
  onError(error: unknown): void;
}

/** Tasks read per page while a user is erased, and rows deleted per batch of what remains. */
const userPageSize = 50;
const remainsBatchSize = 500;
/** Queued blob deletions handled per round. */
const blobBatchSize = 100;

/** Cancel reason stored (briefly: the task is deleted right after) when an active task is deleted. */
const deletionReason = 'Deleted by its user';

/**
 * Stops the task before it is deleted: an active one is cancelled (its in-flight model and image calls aborted,
 * here and through the queue's broadcast elsewhere), then the run here is awaited; a worker elsewhere is fenced out
 * by the cancel (its lease is cleared) and then by the deletion. A cover generation of a finished task is aborted.
 */
async function stopTask(context: DataDeletionContext, task: TaskRecord, abortSignal?: AbortSignal): Promise<void> {
  let current: TaskRecord | null = task;
  while (current && cancellableStatuses.includes(current.status)) {
    try {
      await context.cancel(current.task_id, deletionReason);
      break;
    } catch (error) {
      // Finished (or cancelled) meanwhile: read it again.
      if (!RoadmapError.isInstance(error) || error.code !== 'task_not_cancellable') throw error;
      current = await context.storage.getTask(current.task_id);
    }
  }
  context.abortCover(task.task_id);
  abortSignal?.throwIfAborted();
  await untilAborted(context.whenStopped(task.task_id), abortSignal);
}

/** `work`, or the signal's reason once it aborts first. */
function untilAborted<Value>(work: Promise<Value>, abortSignal: AbortSignal | undefined): Promise<Value> {
  if (!abortSignal) return work;
  return new Promise<Value>((resolve, reject) => {
    const onAbort = () => reject(abortSignal.reason);
    if (abortSignal.aborted) return onAbort();
    abortSignal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => abortSignal.removeEventListener('abort', onAbort));
  });
}

/**
 * Deletes queued blobs (a cover's image whose row is gone), then takes them off the queue: only the user's with
 * `userId`. Returns how many were deleted. A blob store error stops the round and is thrown: the keys stay queued.
 */
export async function deleteQueuedBlobs(context: Pick<DataDeletionContext, 'storage' | 'blobStore'>, userId?: string) {
  let deleted = 0;
  for (;;) {
    const page = await context.storage.listBlobDeletions({
      ...(userId === undefined ? {} : { userId }),
      limit: blobBatchSize,
    });
    if (page.length === 0) return deleted;
    for (const entry of page) await context.blobStore.delete(entry.blob_key);
    await context.storage.clearBlobDeletions(page.map((entry) => entry.blob_key));
    deleted += page.length;
    if (page.length < blobBatchSize) return deleted;
  }
}

/**
 * Deletes one task of `userId` with everything stored for it (SPEC §9): stopped first (see {@link stopTask}), then
 * one storage transaction removes the task, its roadmap, items, versions, checkpoints, events, reservations and
 * cover and stores one `deleted` event — the only trace, on the user's stream — and the cover's image goes from the
 * blob store (left queued for the sweep when the blob store fails). `not_found` / `forbidden` like `cancel`.
 */
export async function deleteTask(
  context: DataDeletionContext,
  userId: string,
  taskId: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<void> {
  const task = await context.requireTask(taskId, { userId });
  await stopTask(context, task, options.abortSignal);
  const removed = await context.storage.deleteTask(taskId, {
    event: context.eventFor('deleted', (deleted) => ({ roadmap_id: deleted.roadmap_id })),
  });
  // Null: a concurrent delete of the same task won; it is gone either way.
  if (!removed) return;
  context.emit(removed.event);
  await deleteQueuedBlobs(context, task.user_id).catch(context.onError);
}

/**
 * Erases every task and row of a user and every blob of theirs (SPEC §9 `DELETE /me`): each task as
 * {@link deleteTask} does but without a `deleted` event, then what no task holds (the `deleted` events of earlier
 * deletes, covers and reservations left behind), then the queued blobs. Idempotent — a second call finds nothing and
 * returns zeros — and resumable: a call that failed midway left whole tasks (each is deleted in one transaction) and
 * queued blobs, which the next call deletes. Throws when the blob store fails, so the caller knows to call again.
 */
export async function deleteUser(context: DataDeletionContext, userId: string): Promise<DeletedUserData> {
  const totals: DeletedUserData = { tasks: 0, roadmaps: 0, items: 0, events: 0, covers: 0, blobs: 0 };
  const add = (rows: DeletedRows) => {
    totals.tasks += rows.tasks;
    totals.roadmaps += rows.roadmaps;
    totals.items += rows.items;
    totals.events += rows.events;
    totals.covers += rows.covers;
  };
  for (;;) {
    const taskIds = await context.storage.listUserTaskIds({ userId, limit: userPageSize });
    if (taskIds.length === 0) break;
    for (const taskId of taskIds) {
      const task = await context.storage.getTask(taskId);
      if (!task) continue;
      await stopTask(context, task);
      const removed = await context.storage.deleteTask(taskId);
      if (removed) add(removed.deleted);
    }
  }
  for (;;) {
    const remains = await context.storage.deleteUserRemains(userId, remainsBatchSize);
    add(remains);
    const batch = Math.max(remains.events, remains.covers, remains.roadmaps, remains.reservations);
    if (batch < remainsBatchSize) break;
  }
  totals.blobs = await deleteQueuedBlobs(context, userId);
  return totals;
}
