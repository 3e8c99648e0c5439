import type { NewRoadmapEvent, RoadmapEvent } from '../domain/events.js';
import type { TaskRecord } from '../domain/task.js';

/**
 * Checkpoints whose key starts with this hold content a user sees (the partial text of a tutorial whose stream was
 * interrupted), not a step's result: {@link DataLifecycleStore.pruneCheckpoints} keeps them.
 */
export const contentCheckpointPrefix = 'partial:';

/** Rows a deletion removed, per kind. */
export interface DeletedRows {
  tasks: number;
  roadmaps: number;
  /** Content items (concept × kind); their stored versions go with them and are not counted. */
  items: number;
  events: number;
  covers: number;
}

/** What {@link DataLifecycleStore.deleteUserRemains} deleted: rows per kind, and budget reservations. */
export interface DeletedRemains extends DeletedRows {
  reservations: number;
}

/** What {@link DataLifecycleStore.deleteTask} did. */
export interface DeletedTask {
  /** The task as it was when deleted. */
  task: TaskRecord;
  /** Rows removed (`tasks` is 1). */
  deleted: DeletedRows;
  /** The event passed to `deleteTask`, stored with its `seq`; `null` when none was passed. */
  event: RoadmapEvent | null;
}

/** A blob to delete from the blob store: queued in storage in the transaction that deleted what pointed to it. */
export interface BlobDeletion {
  blob_key: string;
  /** The user whose cover the blob was. */
  user_id: string;
}

/**
 * Deleting data (SPEC §9): a task with everything stored for it, every row of a user, the blobs they pointed to, and
 * the checkpoints of finished tasks.
 *
 * Order and atomicity (checked by `runDataLifecycleConformance` through `runStorageConformance`):
 * - `deleteTask` removes the task, its roadmap, content items and their versions, checkpoints, events and cover in
 *   one transaction, so a crash leaves the task either whole or gone — never a task
 *   without its roadmap or a roadmap without its task. From then on the task is in no query: `getTask`, `listTasks`
 *   and its counts, `listRoadmaps`, `listRoadmapSummaries`, `listEvents` (but for the one event passed to it);
 * - budget reservations are kept: they are the record of what the user's budget period was charged, and deleting a
 *   task must not give its spend back (a user could otherwise delete tasks to spend past their limit). They name the
 *   task by id only; `deleteUserRemains` erases them with the user;
 * - blobs live outside the transaction: the cover's `blob_key` is queued as a {@link BlobDeletion} in the same
 *   transaction, and the caller deletes the blob, then `clearBlobDeletions` — so a crash between them leaves a key
 *   queued, which the next call (or a sweep) finishes;
 * - `deleteUserRemains` removes what of a user no stored task holds (its events, including the `deleted` events
 *   `deleteTask` kept; covers and reservations left behind), in bounded batches;
 * - `pruneCheckpoints` deletes checkpoints only of tasks that are terminal and whose roadmap is stored, checked in the
 *   same statement, and never those whose key starts with `partial:` (`contentCheckpointPrefix`).
 *
 * Left out on purpose: deleting a task that is still running is the caller's to prevent (the engine cancels it
 * first); a worker that still runs it finds its fenced writes refused.
 */
export interface DataLifecycleStore {
  /**
   * Deletes the task and everything stored for it (see above) in one transaction and queues its cover's blob. With
   * `event`, appends that event (built from the task as it was) in the same transaction, after the task's own
   * events are gone: the only trace kept. `null` (nothing changed) when the task does not exist.
   */
  deleteTask(taskId: string, options?: { event?: (task: TaskRecord) => NewRoadmapEvent }): Promise<DeletedTask | null>;
  /** One page of the user's task ids, ascending, after `afterTaskId` when given: what erasing a user walks. */
  listUserTaskIds(query: { userId: string; afterTaskId?: string; limit: number }): Promise<string[]>;
  /**
   * Deletes at most `limit` rows of each kind of the user that no stored task holds: events, covers (their blobs
   * queued), roadmaps with their items and versions, and budget reservations. Returns what it deleted; call again
   * until it deletes nothing. Rows that a task of the user still holds are left to `deleteTask`.
   */
  deleteUserRemains(userId: string, limit: number): Promise<DeletedRemains>;
  /** Queued blob deletions, oldest first; only the user's when `userId` is given. At most `limit`. */
  listBlobDeletions(query: { userId?: string; limit: number }): Promise<BlobDeletion[]>;
  /** Removes blob keys from the queue once their blobs are deleted. Unknown keys are ignored. */
  clearBlobDeletions(blobKeys: readonly string[]): Promise<void>;
  /**
   * Deletes the checkpoints of those of `taskIds` that are terminal (`completed`, `failed`, `partial_failure`,
   * `cancelled`) and whose roadmap is stored — they only serve a resume, and a resume with a stored roadmap reads
   * none — keeping keys that start with `partial:` (`contentCheckpointPrefix`). Returns how many it deleted.
   */
  pruneCheckpoints(taskIds: readonly string[]): Promise<number>;
  /**
   * One page of the ids of tasks `pruneCheckpoints` would delete checkpoints of, ascending, after `afterTaskId` when
   * given: what the background sweep walks. Costs what is prunable, never what is stored.
   */
  listPrunableCheckpointTasks(query: { afterTaskId?: string; limit: number }): Promise<string[]>;
}
