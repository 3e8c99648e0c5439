import type { DataLifecycleStore, DeletedRemains, DeletedRows, NewRoadmapEvent, TaskRecord } from '@roadmap/core';
import { contentCheckpointPrefix, isoTime, type TaskRow, taskFromRow } from '@roadmap/core/internal';
import type BetterSqlite3 from 'better-sqlite3';
import { createStatementCache } from './connection.js';
import { createEventInsert } from './eventInsert.js';
import { guard } from './storageError.js';

/** Statuses after which a task's checkpoints serve nothing but a resume that reads none (its roadmap is stored). */
const terminal = `('completed', 'failed', 'partial_failure', 'cancelled')`;

/** Checkpoints that are a step's result, not content (see `contentCheckpointPrefix`). */
const stepCheckpoint = `substr(checkpoints.key, 1, ${contentCheckpointPrefix.length}) <> '${contentCheckpointPrefix}'`;

/** "The checkpoint's task is terminal and its roadmap is stored": the condition of every prune. */
const prunableTask = `EXISTS (
  SELECT 1 FROM tasks JOIN roadmaps ON roadmaps.roadmap_id = tasks.roadmap_id
  WHERE tasks.task_id = checkpoints.task_id AND tasks.status IN ${terminal}
)`;

/**
 * The data lifecycle part of the storage ({@link DataLifecycleStore}) on SQLite. A task is deleted in one
 * `BEGIN IMMEDIATE` transaction (every table that holds something of it, the cover's blob queued in
 * `blob_deletions`, the `deleted` event appended); erasing a user's remains deletes in batches of `limit` rows per
 * table.
 */
export function createLifecycleStore(database: BetterSqlite3.Database, now: () => number): DataLifecycleStore {
  const prepare = createStatementCache(database);
  const appendEvent = createEventInsert(prepare);
  const selectTask = prepare('SELECT * FROM tasks WHERE task_id = ?');
  const queueTaskBlobs = prepare(
    `INSERT INTO blob_deletions (blob_key, user_id, queued_at)
     SELECT blob_key, user_id, @at FROM covers
     WHERE (task_id = @taskId OR (roadmap_id = @roadmapId AND user_id = @userId)) AND blob_key IS NOT NULL
     ON CONFLICT (blob_key) DO NOTHING`,
  );
  const deleteTaskCovers = prepare(
    'DELETE FROM covers WHERE task_id = @taskId OR (roadmap_id = @roadmapId AND user_id = @userId)',
  );
  const ownRoadmap = 'SELECT roadmap_id FROM roadmaps WHERE roadmap_id = @roadmapId AND user_id = @userId';
  const deleteOwnVersions = prepare(`DELETE FROM content_item_versions WHERE roadmap_id IN (${ownRoadmap})`);
  const deleteOwnItems = prepare(`DELETE FROM content_items WHERE roadmap_id IN (${ownRoadmap})`);
  const deleteOwnRoadmap = prepare('DELETE FROM roadmaps WHERE roadmap_id = @roadmapId AND user_id = @userId');
  const deleteCheckpoints = prepare('DELETE FROM checkpoints WHERE task_id = ?');
  const deleteEvents = prepare('DELETE FROM events WHERE task_id = ?');
  const deleteTaskRow = prepare('DELETE FROM tasks WHERE task_id = ?');
  const selectUserTasks = prepare(
    'SELECT task_id FROM tasks WHERE user_id = @userId AND task_id > @after ORDER BY task_id LIMIT @limit',
  ).pluck();

  // What no stored task of the user holds.
  const deleteStrayEvents = prepare(
    `DELETE FROM events WHERE seq IN (
       SELECT seq FROM events WHERE user_id = @userId
         AND NOT EXISTS (SELECT 1 FROM tasks WHERE tasks.task_id = events.task_id AND tasks.user_id = @userId)
       ORDER BY seq LIMIT @limit)`,
  );
  const strayCovers = `SELECT roadmap_id FROM covers WHERE user_id = @userId
     AND NOT EXISTS (SELECT 1 FROM tasks WHERE tasks.roadmap_id = covers.roadmap_id AND tasks.user_id = @userId)
     ORDER BY roadmap_id LIMIT @limit`;
  const queueStrayBlobs = prepare(
    `INSERT INTO blob_deletions (blob_key, user_id, queued_at)
     SELECT blob_key, user_id, @at FROM covers WHERE roadmap_id IN (${strayCovers}) AND blob_key IS NOT NULL
     ON CONFLICT (blob_key) DO NOTHING`,
  );
  const deleteStrayCovers = prepare(`DELETE FROM covers WHERE roadmap_id IN (${strayCovers})`);
  const selectStrayRoadmaps = prepare(
    `SELECT roadmap_id FROM roadmaps WHERE user_id = @userId
       AND NOT EXISTS (SELECT 1 FROM tasks WHERE tasks.roadmap_id = roadmaps.roadmap_id AND tasks.user_id = @userId)
     ORDER BY roadmap_id LIMIT @limit`,
  ).pluck();
  const deleteVersionsOf = prepare('DELETE FROM content_item_versions WHERE roadmap_id = ?');
  const deleteItemsOf = prepare('DELETE FROM content_items WHERE roadmap_id = ?');
  const deleteRoadmapRow = prepare('DELETE FROM roadmaps WHERE roadmap_id = ?');
  const deleteStrayReservations = prepare(
    `DELETE FROM budget_reservations WHERE reservation_id IN (
       SELECT reservation_id FROM budget_reservations WHERE user_id = @userId
         AND NOT EXISTS (SELECT 1 FROM tasks WHERE tasks.task_id = budget_reservations.task_id)
       LIMIT @limit)`,
  );

  const selectBlobDeletions = prepare(
    'SELECT blob_key, user_id FROM blob_deletions ORDER BY queued_at, blob_key LIMIT @limit',
  );
  const selectUserBlobDeletions = prepare(
    'SELECT blob_key, user_id FROM blob_deletions WHERE user_id = @userId ORDER BY queued_at, blob_key LIMIT @limit',
  );
  const clearBlobDeletion = prepare('DELETE FROM blob_deletions WHERE blob_key = ?');

  const pruneTask = prepare(`DELETE FROM checkpoints WHERE task_id = ? AND ${stepCheckpoint} AND ${prunableTask}`);
  const selectPrunable = prepare(
    `SELECT DISTINCT task_id FROM checkpoints
     WHERE task_id > @after AND ${stepCheckpoint} AND ${prunableTask}
     ORDER BY task_id LIMIT @limit`,
  ).pluck();

  const deleteTaskNow = database.transaction(
    (taskId: string, event: ((task: TaskRecord) => NewRoadmapEvent) | undefined) => {
      const row = selectTask.get(taskId) as TaskRow | undefined;
      if (!row) return null;
      const task = taskFromRow(row);
      const owner = { roadmapId: task.roadmap_id, userId: task.user_id };
      const deleted: DeletedRows = { tasks: 1, roadmaps: 0, items: 0, events: 0, covers: 0 };
      queueTaskBlobs.run({ ...owner, taskId, at: isoTime(now()) });
      deleted.covers = deleteTaskCovers.run({ ...owner, taskId }).changes;
      deleteOwnVersions.run(owner);
      deleted.items = deleteOwnItems.run(owner).changes;
      deleted.roadmaps = deleteOwnRoadmap.run(owner).changes;
      deleteCheckpoints.run(taskId);
      deleted.events = deleteEvents.run(taskId).changes;
      deleteTaskRow.run(taskId);
      return { task, deleted, event: event ? appendEvent(event(task)) : null };
    },
  );

  const deleteRemainsNow = database.transaction((userId: string, limit: number): DeletedRemains => {
    const parameters = { userId, limit };
    const deleted: DeletedRemains = { tasks: 0, roadmaps: 0, items: 0, events: 0, covers: 0, reservations: 0 };
    deleted.events = deleteStrayEvents.run(parameters).changes;
    queueStrayBlobs.run({ ...parameters, at: isoTime(now()) });
    deleted.covers = deleteStrayCovers.run(parameters).changes;
    for (const roadmapId of selectStrayRoadmaps.all(parameters) as string[]) {
      deleteVersionsOf.run(roadmapId);
      deleted.items += deleteItemsOf.run(roadmapId).changes;
      deleted.roadmaps += deleteRoadmapRow.run(roadmapId).changes;
    }
    deleted.reservations = deleteStrayReservations.run(parameters).changes;
    return deleted;
  });

  const pruneNow = database.transaction((taskIds: readonly string[]) => {
    let pruned = 0;
    for (const taskId of new Set(taskIds)) pruned += pruneTask.run(taskId).changes;
    return pruned;
  });

  const clearNow = database.transaction((blobKeys: readonly string[]) => {
    for (const key of blobKeys) clearBlobDeletion.run(key);
  });

  return {
    async deleteTask(taskId, options = {}) {
      return guard('deleteTask', () => deleteTaskNow.immediate(taskId, options.event));
    },

    async listUserTaskIds({ userId, afterTaskId, limit }) {
      return guard(
        'listUserTaskIds',
        () => selectUserTasks.all({ userId, after: afterTaskId ?? '', limit: Math.max(0, limit) }) as string[],
      );
    },

    async deleteUserRemains(userId, limit) {
      return guard('deleteUserRemains', () => deleteRemainsNow.immediate(userId, Math.max(0, limit)));
    },

    async listBlobDeletions({ userId, limit }) {
      return guard('listBlobDeletions', () => {
        const rows =
          userId === undefined
            ? selectBlobDeletions.all({ limit: Math.max(0, limit) })
            : selectUserBlobDeletions.all({ userId, limit: Math.max(0, limit) });
        return rows as { blob_key: string; user_id: string }[];
      });
    },

    async clearBlobDeletions(blobKeys) {
      return guard('clearBlobDeletions', () => clearNow.immediate(blobKeys));
    },

    async pruneCheckpoints(taskIds) {
      return guard('pruneCheckpoints', () => (taskIds.length === 0 ? 0 : pruneNow.immediate(taskIds)));
    },

    async listPrunableCheckpointTasks({ afterTaskId, limit }) {
      return guard(
        'listPrunableCheckpointTasks',
        () => selectPrunable.all({ after: afterTaskId ?? '', limit: Math.max(0, limit) }) as string[],
      );
    },
  };
}
