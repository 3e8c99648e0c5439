import type { AcquireLeaseResult, TaskListQuery, TaskListResult, TaskStatus, TaskStore } from '@roadmap/core';
import { RoadmapError } from '@roadmap/core';
import {
  type StatusCountEntry,
  type TaskRow,
  taskCountsFrom,
  taskFromRow,
  taskPatchColumns,
  totalOf,
} from '@roadmap/core/internal';
import type pg from 'pg';
import { queryOn } from './database.js';
import { bindPatch, fenced, taskInsert } from './parameters.js';

/**
 * The task part of the storage ({@link TaskStore}) on PostgreSQL, for the `tasks` table of `schema` (already
 * quoted). Every status change is one compare-and-set `UPDATE … WHERE task_id = $1 AND status = ANY($2)
 * [AND lease_token = $3] RETURNING *`; `acquireLease` locks the row in a CTE (`FOR UPDATE`) and reads the previous
 * status there, so of concurrent claimers exactly one wins; a list reads counts and page in one statement.
 */
export function createTaskStore(pool: pg.Pool, schema: string): TaskStore {
  const tasks = `${schema}.tasks`;
  const query = queryOn(pool);

  return {
    async createTask(record) {
      const values: unknown[] = [];
      const { columns, placeholders } = taskInsert(record, values);
      const inserted = await query<TaskRow>(
        'create a task',
        `INSERT INTO ${tasks} (${columns}) VALUES (${placeholders})
         ON CONFLICT (user_id, idempotency_key) DO NOTHING RETURNING *`,
        values,
      );
      const created = inserted.rows[0];
      if (created) return { task: taskFromRow(created), created: true };
      // The conflicting insert has committed (ON CONFLICT waited for it): this statement's snapshot sees it.
      const existing = await query<TaskRow>(
        'create a task',
        `SELECT * FROM ${tasks} WHERE user_id = $1 AND idempotency_key = $2`,
        [record.user_id, record.idempotency_key],
      );
      const found = existing.rows[0];
      if (!found) throw new RoadmapError('storage_error', `Task ${record.task_id} conflicts but was not found.`);
      return { task: taskFromRow(found), created: false };
    },

    async getTask(taskId) {
      const result = await query<TaskRow>('read a task', `SELECT * FROM ${tasks} WHERE task_id = $1`, [taskId]);
      const row = result.rows[0];
      return row ? taskFromRow(row) : null;
    },

    async listTasks(listQuery: TaskListQuery): Promise<TaskListResult> {
      const values: unknown[] = [];
      const filters: string[] = [];
      if (listQuery.userId !== undefined) {
        values.push(listQuery.userId);
        filters.push(`user_id = $${values.length}`);
      }
      if (listQuery.roadmapId !== undefined) {
        values.push(listQuery.roadmapId);
        filters.push(`roadmap_id = $${values.length}`);
      }
      const countFilter = filters.length > 0 ? `WHERE ${filters.join(' AND ')}` : '';
      if (listQuery.statuses) {
        values.push([...listQuery.statuses]);
        filters.push(`status = ANY($${values.length}::text[])`);
      }
      const pageFilter = filters.length > 0 ? `WHERE ${filters.join(' AND ')}` : '';
      values.push(listQuery.limit ?? 50, listQuery.offset ?? 0);
      // One statement, so the page and the counts come from the same snapshot.
      const result = await query<{ counts: StatusCountEntry[]; tasks: TaskRow[] }>(
        'list tasks',
        `SELECT
           (SELECT coalesce(jsonb_agg(jsonb_build_object('status', status, 'count', count)), '[]'::jsonb)
              FROM (SELECT status, count(*) AS count FROM ${tasks} ${countFilter} GROUP BY status) grouped) AS counts,
           (SELECT coalesce(jsonb_agg(to_jsonb(page) ORDER BY page.created_at DESC, page.task_id DESC), '[]'::jsonb)
              FROM (SELECT * FROM ${tasks} ${pageFilter} ORDER BY created_at DESC, task_id DESC
                    LIMIT $${values.length - 1} OFFSET $${values.length}) page) AS tasks`,
        values,
      );
      const row = result.rows[0] ?? { counts: [], tasks: [] };
      const counts = taskCountsFrom(row.counts);
      return { tasks: row.tasks.map(taskFromRow), total: totalOf(counts, listQuery.statuses), counts };
    },

    async transitionTask(taskId, change) {
      const values: unknown[] = [taskId, [...change.from], change.to];
      const sets = ['status = $3', ...bindPatch(taskPatchColumns(change.patch), values)];
      let condition = 'task_id = $1 AND status = ANY($2::text[])';
      if (change.leaseToken !== undefined) {
        values.push(change.leaseToken);
        condition += ` AND lease_token = $${values.length}`;
      }
      const result = await query<TaskRow>(
        'change a task status',
        `UPDATE ${tasks} SET ${sets.join(', ')} WHERE ${condition} RETURNING *`,
        values,
      );
      const row = result.rows[0];
      return row ? taskFromRow(row) : null;
    },

    async updateTask(fence, patch) {
      const values: unknown[] = [fence.taskId, fence.leaseToken];
      const sets = bindPatch(taskPatchColumns(patch), values);
      const result = await query<TaskRow>(
        'update a task',
        `UPDATE ${tasks} SET ${sets.length > 0 ? sets.join(', ') : 'status = status'}
         WHERE task_id = $1 AND ${fenced} RETURNING *`,
        values,
      );
      const row = result.rows[0];
      return row ? taskFromRow(row) : null;
    },

    async acquireLease(taskId, lease): Promise<AcquireLeaseResult | null> {
      const result = await query<TaskRow & { previous_status: TaskStatus }>(
        'acquire a lease',
        `WITH previous AS (
           SELECT task_id, status FROM ${tasks}
           WHERE task_id = $1 AND (status = 'pending' OR (status = 'processing'
             AND (lease_token IS NULL OR lease_expires_at IS NULL OR lease_expires_at <= $2::bigint)))
           FOR UPDATE
         )
         UPDATE ${tasks} AS task
         SET status = 'processing', lease_token = $3, lease_expires_at = $4::bigint, attempts = task.attempts + 1,
             updated_at = $5
         FROM previous WHERE task.task_id = previous.task_id
         RETURNING task.*, previous.status AS previous_status`,
        [taskId, lease.now, lease.token, lease.expiresAt, lease.updatedAt],
      );
      const row = result.rows[0];
      if (!row) return null;
      const { previous_status: previousStatus, ...taskRow } = row;
      return { task: taskFromRow(taskRow), previousStatus, recovered: previousStatus === 'processing' };
    },

    async renewLease(fence, expiresAt) {
      const result = await query(
        'renew a lease',
        `UPDATE ${tasks} SET lease_expires_at = $3::bigint WHERE task_id = $1 AND ${fenced}`,
        [fence.taskId, fence.leaseToken, expiresAt],
      );
      return result.rowCount === 1;
    },

    async releaseLease(fence) {
      const result = await query(
        'release a lease',
        `UPDATE ${tasks} SET lease_token = NULL, lease_expires_at = NULL WHERE task_id = $1 AND ${fenced}`,
        [fence.taskId, fence.leaseToken],
      );
      return result.rowCount === 1;
    },

    async listOrphanedTasks(at) {
      const result = await query<TaskRow>(
        'list orphaned tasks',
        `SELECT * FROM ${tasks}
         WHERE status = 'processing' AND (lease_token IS NULL OR lease_expires_at IS NULL OR lease_expires_at <= $1::bigint)
         ORDER BY created_at, task_id`,
        [at],
      );
      return result.rows.map(taskFromRow);
    },
  };
}
