import type { BlobDeletion, DataLifecycleStore, DeletedRemains, DeletedRows } from '@roadmap/core';
import { contentCheckpointPrefix, isoTime, type TaskRow, taskFromRow } from '@roadmap/core/internal';
import type pg from 'pg';
import { inTransaction, queryOn, runQuery } from './database.js';
import { appendEventOn, lockEventLog } from './eventAppend.js';

/** Statuses after which a task's checkpoints serve nothing but a resume that reads none (its roadmap is stored). */
const terminal = `('completed', 'failed', 'partial_failure', 'cancelled')`;

/**
 * The data lifecycle part of the storage ({@link DataLifecycleStore}) on PostgreSQL, for the tables of `schema`
 * (already quoted). A task is deleted in one transaction that takes the event log's advisory lock first (when it
 * appends the `deleted` event: the order every status change with an event keeps), then deletes the task row —
 * locking it, so a fenced write waits and then finds it gone — and every row that holds something of the task, with
 * the cover's blob queued in `blob_deletions`.
 */
export function createLifecycleStore(pool: pg.Pool, schema: string, now: () => number): DataLifecycleStore {
  const run = queryOn(pool);
  const stepCheckpoint = `left(c.key, ${contentCheckpointPrefix.length}) <> '${contentCheckpointPrefix}'`;
  const prunableTask = `EXISTS (
    SELECT 1 FROM ${schema}.tasks t JOIN ${schema}.roadmaps r ON r.roadmap_id = t.roadmap_id
    WHERE t.task_id = c.task_id AND t.status IN ${terminal})`;

  const count = (result: { rowCount: number | null }) => result.rowCount ?? 0;

  return {
    async deleteTask(taskId, options = {}) {
      const buildEvent = options.event;
      return inTransaction(pool, 'delete a task', async (client) => {
        if (buildEvent) await lockEventLog(client, schema);
        const step = (text: string, values: readonly unknown[]) => runQuery(client, 'delete a task', text, values);
        const row = (
          await runQuery<TaskRow>(
            client,
            'delete a task',
            `DELETE FROM ${schema}.tasks WHERE task_id = $1 RETURNING *`,
            [taskId],
          )
        ).rows[0];
        if (!row) return null;
        const task = taskFromRow(row);
        const owner = [task.roadmap_id, task.user_id];
        const deleted: DeletedRows = { tasks: 1, roadmaps: 0, items: 0, events: 0, covers: 0 };
        const taskCovers = `(task_id = $1 OR (roadmap_id = $2 AND user_id = $3))`;
        await step(
          `INSERT INTO ${schema}.blob_deletions (blob_key, user_id, queued_at)
           SELECT blob_key, user_id, $4 FROM ${schema}.covers WHERE ${taskCovers} AND blob_key IS NOT NULL
           ON CONFLICT (blob_key) DO NOTHING`,
          [taskId, ...owner, isoTime(now())],
        );
        deleted.covers = count(await step(`DELETE FROM ${schema}.covers WHERE ${taskCovers}`, [taskId, ...owner]));
        const ownRoadmap = `SELECT roadmap_id FROM ${schema}.roadmaps WHERE roadmap_id = $1 AND user_id = $2`;
        await step(`DELETE FROM ${schema}.content_item_versions WHERE roadmap_id IN (${ownRoadmap})`, owner);
        deleted.items = count(
          await step(`DELETE FROM ${schema}.content_items WHERE roadmap_id IN (${ownRoadmap})`, owner),
        );
        deleted.roadmaps = count(
          await step(`DELETE FROM ${schema}.roadmaps WHERE roadmap_id = $1 AND user_id = $2`, owner),
        );
        // Checkpoints went with the task row (ON DELETE CASCADE).
        // Budget reservations stay: they are what the user's budget period was charged (see DataLifecycleStore).
        deleted.events = count(await step(`DELETE FROM ${schema}.events WHERE task_id = $1`, [taskId]));
        const event = buildEvent ? await appendEventOn(client, schema, buildEvent(task)) : null;
        return { task, deleted, event };
      });
    },

    async listUserTaskIds({ userId, afterTaskId, limit }) {
      const result = await run<{ task_id: string }>(
        'list a user\u2019s tasks',
        `SELECT task_id FROM ${schema}.tasks WHERE user_id = $1 AND task_id > $2 ORDER BY task_id LIMIT $3`,
        [userId, afterTaskId ?? '', Math.max(0, limit)],
      );
      return result.rows.map((row) => row.task_id);
    },

    async deleteUserRemains(userId, limit) {
      return inTransaction(pool, 'delete a user\u2019s remains', async (client) => {
        const step = (text: string, values: readonly unknown[]) =>
          runQuery<{ roadmap_id: string }>(client, 'delete a user\u2019s remains', text, values);
        const batch = [userId, Math.max(0, limit)];
        const deleted: DeletedRemains = { tasks: 0, roadmaps: 0, items: 0, events: 0, covers: 0, reservations: 0 };
        deleted.events = count(
          await step(
            `DELETE FROM ${schema}.events WHERE seq IN (
               SELECT seq FROM ${schema}.events e WHERE e.user_id = $1 AND NOT EXISTS (
                 SELECT 1 FROM ${schema}.tasks t WHERE t.task_id = e.task_id AND t.user_id = $1)
               ORDER BY seq LIMIT $2)`,
            batch,
          ),
        );
        const strayCovers = await step(
          `DELETE FROM ${schema}.covers WHERE roadmap_id IN (
             SELECT roadmap_id FROM ${schema}.covers c WHERE c.user_id = $1 AND NOT EXISTS (
               SELECT 1 FROM ${schema}.tasks t WHERE t.roadmap_id = c.roadmap_id AND t.user_id = $1)
             ORDER BY roadmap_id LIMIT $2)
           RETURNING blob_key, user_id`,
          batch,
        );
        deleted.covers = strayCovers.rows.length;
        const blobs = (strayCovers.rows as unknown as { blob_key: string | null }[])
          .map((row) => row.blob_key)
          .filter((key): key is string => key !== null);
        if (blobs.length > 0) {
          await step(
            `INSERT INTO ${schema}.blob_deletions (blob_key, user_id, queued_at)
             SELECT key, $2, $3 FROM unnest($1::text[]) AS key ON CONFLICT (blob_key) DO NOTHING`,
            [blobs, userId, isoTime(now())],
          );
        }
        const roadmaps = await step(
          `SELECT roadmap_id FROM ${schema}.roadmaps r WHERE r.user_id = $1 AND NOT EXISTS (
             SELECT 1 FROM ${schema}.tasks t WHERE t.roadmap_id = r.roadmap_id AND t.user_id = $1)
           ORDER BY roadmap_id LIMIT $2`,
          batch,
        );
        const roadmapIds = roadmaps.rows.map((row) => row.roadmap_id);
        if (roadmapIds.length > 0) {
          await step(`DELETE FROM ${schema}.content_item_versions WHERE roadmap_id = ANY($1::text[])`, [roadmapIds]);
          deleted.items = count(
            await step(`DELETE FROM ${schema}.content_items WHERE roadmap_id = ANY($1::text[])`, [roadmapIds]),
          );
          deleted.roadmaps = count(
            await step(`DELETE FROM ${schema}.roadmaps WHERE roadmap_id = ANY($1::text[])`, [roadmapIds]),
          );
        }
        deleted.reservations = count(
          await step(
            `DELETE FROM ${schema}.budget_reservations WHERE reservation_id IN (
               SELECT reservation_id FROM ${schema}.budget_reservations b WHERE b.user_id = $1 AND NOT EXISTS (
                 SELECT 1 FROM ${schema}.tasks t WHERE t.task_id = b.task_id)
               LIMIT $2)`,
            batch,
          ),
        );
        return deleted;
      });
    },

    async listBlobDeletions({ userId, limit }) {
      const result = await run<BlobDeletion>(
        'list blob deletions',
        `SELECT blob_key, user_id FROM ${schema}.blob_deletions WHERE ($1::text IS NULL OR user_id = $1)
         ORDER BY queued_at, blob_key LIMIT $2`,
        [userId ?? null, Math.max(0, limit)],
      );
      return result.rows.map((row) => ({ blob_key: row.blob_key, user_id: row.user_id }));
    },

    async clearBlobDeletions(blobKeys) {
      if (blobKeys.length === 0) return;
      await run('clear blob deletions', `DELETE FROM ${schema}.blob_deletions WHERE blob_key = ANY($1::text[])`, [
        [...blobKeys],
      ]);
    },

    async pruneCheckpoints(taskIds) {
      if (taskIds.length === 0) return 0;
      const result = await run(
        'prune checkpoints',
        `DELETE FROM ${schema}.checkpoints c WHERE c.task_id = ANY($1::text[]) AND ${stepCheckpoint} AND ${prunableTask}`,
        [[...new Set(taskIds)]],
      );
      return count(result);
    },

    async listPrunableCheckpointTasks({ afterTaskId, limit }) {
      const result = await run<{ task_id: string }>(
        'list prunable checkpoints',
        `SELECT DISTINCT c.task_id FROM ${schema}.checkpoints c
         WHERE c.task_id > $1 AND ${stepCheckpoint} AND ${prunableTask}
         ORDER BY c.task_id LIMIT $2`,
        [afterTaskId ?? '', Math.max(0, limit)],
      );
      return result.rows.map((row) => row.task_id);
    },
  };
}
