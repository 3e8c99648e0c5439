import type {
  AcquireLeaseResult,
  LeaseClaim,
  TaskListQuery,
  TaskListResult,
  TaskStatus,
  TaskStore,
  UsageTotals,
  UserAtLimit,
} from '@roadmap/core';
import { RoadmapError, roundUsd } from '@roadmap/core';
import {
  roadmapIdTaken,
  type StatusCountEntry,
  type TaskRow,
  taskCountsFrom,
  taskFromRow,
  taskPatchColumns,
  totalOf,
} from '@roadmap/core/internal';
import type pg from 'pg';
import { inTransaction, queryOn, runQuery } from './database.js';
import { appendEventOn, lockEventLog } from './eventAppend.js';
import { databaseNowMs, type LeaseClockSettings } from './leaseClock.js';
import { bindPatch, fenced, taskInsert } from './parameters.js';

/**
 * The task part of the storage ({@link TaskStore}) on PostgreSQL, for the `tasks` table of `schema` (already
 * quoted). Every status change is one compare-and-set `UPDATE … WHERE task_id = $1 AND status = ANY($2)
 * [AND lease_token = $3] RETURNING *`; `acquireLease` locks the row in a CTE (`FOR UPDATE`) and reads the previous
 * status there, so of concurrent claimers exactly one wins; a list reads counts and page in one statement. Lease
 * expiry is read on the clock `leases` names (see {@link LeaseClockSettings}).
 */
export function createTaskStore(
  pool: pg.Pool,
  schema: string,
  leases: LeaseClockSettings = { clock: 'database', now: Date.now },
): TaskStore {
  const tasks = `${schema}.tasks`;
  const sweepLeases = `${schema}.sweep_leases`;
  const onDatabaseClock = leases.clock === 'database';
  const query = queryOn(pool);

  /** The claim itself: one statement that locks the row in a CTE and reads the status it replaces. */
  const claim = async (database: pg.Pool | pg.PoolClient, taskId: string, lease: LeaseClaim) => {
    // On the database clock the lease lasts `$4` ms from the server's now; else `$4` is the caller's now, `$5` the expiry.
    const values: unknown[] = [taskId, lease.token, lease.updatedAt];
    if (onDatabaseClock) values.push(lease.expiresAt - lease.now);
    else values.push(lease.now, lease.expiresAt);
    const now = onDatabaseClock ? databaseNowMs : '$4::bigint';
    const expiresAt = onDatabaseClock ? `${databaseNowMs} + $4::bigint` : '$5::bigint';
    const result = await runQuery<TaskRow & { previous_status: TaskStatus }>(
      database,
      'acquire a lease',
      `WITH previous AS (
         SELECT task_id, status FROM ${tasks}
         WHERE task_id = $1 AND (status = 'pending' OR (status = 'processing'
           AND (lease_token IS NULL OR lease_expires_at IS NULL OR lease_expires_at <= ${now})))
         FOR UPDATE
       )
       UPDATE ${tasks} AS task
       SET status = 'processing', lease_token = $2, lease_expires_at = ${expiresAt}, attempts = task.attempts + 1,
           updated_at = $3
       FROM previous WHERE task.task_id = previous.task_id
       RETURNING task.*, previous.status AS previous_status`,
      values,
    );
    const row = result.rows[0];
    if (!row) return null;
    const { previous_status: previousStatus, ...taskRow } = row;
    return { task: taskFromRow(taskRow), previousStatus, recovered: previousStatus === 'processing' };
  };

  return {
    async createTask(record, event) {
      const values: unknown[] = [];
      const { columns, placeholders } = taskInsert(record, values);
      return refuseTakenRoadmapId(record.roadmap_id, () =>
        inTransaction(pool, 'create a task', async (client) => {
          if (event) await lockEventLog(client, schema);
          const inserted = await runQuery<TaskRow>(
            client,
            'create a task',
            `INSERT INTO ${tasks} (${columns}) VALUES (${placeholders})
             ON CONFLICT (user_id, idempotency_key) DO NOTHING RETURNING *`,
            values,
          );
          const created = inserted.rows[0];
          if (created) {
            const task = taskFromRow(created);
            return { task, created: true, event: event ? await appendEventOn(client, schema, event(task)) : null };
          }
          // The conflicting insert has committed (ON CONFLICT waited for it): this statement's snapshot sees it.
          const existing = await runQuery<TaskRow>(
            client,
            'create a task',
            `SELECT * FROM ${tasks} WHERE user_id = $1 AND idempotency_key = $2`,
            [record.user_id, record.idempotency_key],
          );
          const found = existing.rows[0];
          if (!found) throw new RoadmapError('storage_error', `Task ${record.task_id} conflicts but was not found.`);
          return { task: taskFromRow(found), created: false, event: null };
        }),
      );
    },

    async getTask(taskId) {
      const result = await query<TaskRow>('read a task', `SELECT * FROM ${tasks} WHERE task_id = $1`, [taskId]);
      const row = result.rows[0];
      return row ? taskFromRow(row) : null;
    },

    async sumUsage({ userId, createdFrom, createdBefore }) {
      // Rows written before tasks carried usage hold NULL: they add nothing.
      const result = await query<Record<keyof UsageTotals, string | number>>(
        'sum usage',
        `SELECT coalesce(sum((usage->>'calls')::bigint), 0) AS calls,
           coalesce(sum((usage->>'input_tokens')::bigint), 0) AS input_tokens,
           coalesce(sum((usage->>'output_tokens')::bigint), 0) AS output_tokens,
           coalesce(sum((usage->>'cost_usd')::double precision), 0) AS cost_usd
         FROM ${tasks} WHERE user_id = $1 AND created_at >= $2 AND created_at < $3`,
        [userId, createdFrom, createdBefore],
      );
      const row = result.rows[0];
      return {
        calls: Number(row?.calls ?? 0),
        input_tokens: Number(row?.input_tokens ?? 0),
        output_tokens: Number(row?.output_tokens ?? 0),
        cost_usd: roundUsd(Number(row?.cost_usd ?? 0)),
      };
    },

    async addTaskUsage(taskId, usage) {
      // One statement: the row lock orders concurrent additions. A NULL usage (rows older than usage) is none; a
      // cost unknown on either side stays unknown.
      const result = await query<TaskRow>(
        'add task usage',
        `UPDATE ${tasks} SET usage = jsonb_build_object(
           'calls', coalesce((usage->>'calls')::bigint, 0) + $2,
           'input_tokens', coalesce((usage->>'input_tokens')::bigint, 0) + $3,
           'output_tokens', coalesce((usage->>'output_tokens')::bigint, 0) + $4,
           'cost_usd', CASE WHEN $5::double precision IS NULL OR (usage IS NOT NULL AND usage->>'cost_usd' IS NULL)
             THEN NULL
             ELSE round((coalesce((usage->>'cost_usd')::double precision, 0) + $5)::numeric, 9)::double precision END)
         WHERE task_id = $1 RETURNING *`,
        [taskId, usage.calls, usage.input_tokens, usage.output_tokens, usage.cost_usd],
      );
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
      const update = `UPDATE ${tasks} SET ${sets.join(', ')} WHERE ${condition} RETURNING *`;
      const buildEvent = change.event;
      if (!buildEvent) {
        const row = (await query<TaskRow>('change a task status', update, values)).rows[0];
        return row ? { task: taskFromRow(row), event: null } : null;
      }
      // The change and its event commit together: both or neither.
      return inTransaction(pool, 'change a task status', async (client) => {
        await lockEventLog(client, schema);
        const row = (await runQuery<TaskRow>(client, 'change a task status', update, values)).rows[0];
        if (!row) return null;
        const task = taskFromRow(row);
        return { task, event: await appendEventOn(client, schema, buildEvent(task)) };
      });
    },

    async updateTask(fence, patch) {
      const values: unknown[] = [fence.taskId, fence.leaseToken];
      const sets = bindPatch(taskPatchColumns(patch), values);
      const result = await refuseTakenRoadmapId(patch.roadmap_id ?? '', () =>
        query<TaskRow>(
          'update a task',
          `UPDATE ${tasks} SET ${sets.length > 0 ? sets.join(', ') : 'status = status'}
           WHERE task_id = $1 AND ${fenced} RETURNING *`,
          values,
        ),
      );
      const row = result.rows[0];
      return row ? taskFromRow(row) : null;
    },

    async acquireLease(taskId, lease): Promise<AcquireLeaseResult | UserAtLimit | null> {
      const { userLimit } = lease;
      if (userLimit === undefined) return claim(pool, taskId, lease);
      // Claims of one user's tasks take the user's advisory lock first, so the count below and the claim after it
      // are one step for every process (READ COMMITTED: the next claimer sees this one once it commits).
      return inTransaction(pool, 'acquire a lease', async (client) => {
        const owner = await runQuery<{ user_id: string }>(
          client,
          'acquire a lease',
          `SELECT user_id FROM ${tasks} WHERE task_id = $1`,
          [taskId],
        );
        const userId = owner.rows[0]?.user_id;
        if (userId === undefined) return null;
        await runQuery(client, 'acquire a lease', 'SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [
          `roadmap_user_slots:${schema}`,
          userId,
        ]);
        const now = onDatabaseClock ? databaseNowMs : '$3::bigint';
        const counted = await runQuery<{ claimable: boolean; processing: string }>(
          client,
          'acquire a lease',
          `SELECT EXISTS (SELECT 1 FROM ${tasks} WHERE task_id = $2 AND (status = 'pending' OR (status = 'processing'
                    AND (lease_token IS NULL OR lease_expires_at IS NULL OR lease_expires_at <= ${now})))) AS claimable,
                  (SELECT count(*) FROM ${tasks} WHERE user_id = $1 AND task_id <> $2 AND status = 'processing'
                    AND lease_token IS NOT NULL AND lease_expires_at > ${now}) AS processing`,
          onDatabaseClock ? [userId, taskId] : [userId, taskId, lease.now],
        );
        const row = counted.rows[0];
        if (!row?.claimable) return null;
        if (Number(row.processing) >= userLimit) return { userAtLimit: true };
        return claim(client, taskId, lease);
      });
    },

    async renewLease(fence, expiresAt) {
      // On the database clock `$3` is the lease's new length, from the server's now.
      const result = await query(
        'renew a lease',
        `UPDATE ${tasks} SET lease_expires_at = ${onDatabaseClock ? `${databaseNowMs} + $3::bigint` : '$3::bigint'}
         WHERE task_id = $1 AND ${fenced}`,
        [fence.taskId, fence.leaseToken, onDatabaseClock ? expiresAt - leases.now() : expiresAt],
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

    async listRecoverableTasks(recovery) {
      // On the database clock the server's now decides whether a lease is dead; the caller's `now` is not read.
      const values: unknown[] = [recovery.afterTaskId ?? '', recovery.pendingUpdatedBefore, recovery.limit];
      if (!onDatabaseClock) values.push(recovery.now);
      const now = onDatabaseClock ? databaseNowMs : '$4::bigint';
      const result = await query<TaskRow>(
        'list recoverable tasks',
        `SELECT * FROM ${tasks}
         WHERE status IN ('pending', 'processing') AND task_id > $1
           AND ((status = 'pending' AND ($2::text IS NULL OR updated_at <= $2::text))
             OR (status = 'processing' AND (lease_token IS NULL OR lease_expires_at IS NULL OR lease_expires_at <= ${now})))
         ORDER BY task_id LIMIT $3`,
        values,
      );
      return result.rows.map(taskFromRow);
    },

    async listPausedTasks(paused) {
      // From tasks_paused: an index-only walk of the paused tasks with this reason, from the keyset on.
      const result = await query<TaskRow>(
        'list paused tasks',
        `SELECT * FROM ${tasks}
         WHERE status = 'paused' AND pause_reason = $1 AND task_id > $2
         ORDER BY task_id LIMIT $3`,
        [paused.pauseReason, paused.afterTaskId ?? '', paused.limit],
      );
      return result.rows.map(taskFromRow);
    },

    async acquireSweepLease(lease) {
      // Under the database clock the lease lasts as long as asked, from the server's now (as task leases do).
      const values: unknown[] = [lease.name, lease.holder];
      if (onDatabaseClock) values.push(lease.expiresAt - lease.now);
      else values.push(lease.now, lease.expiresAt);
      const now = onDatabaseClock ? databaseNowMs : '$3::bigint';
      const expiresAt = onDatabaseClock ? `${databaseNowMs} + $3::bigint` : '$4::bigint';
      const result = await query(
        'take a sweep lease',
        `INSERT INTO ${sweepLeases} AS held (name, holder, expires_at) VALUES ($1, $2, ${expiresAt})
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE held.holder = excluded.holder OR held.expires_at <= ${now}`,
        values,
      );
      return result.rowCount === 1;
    },

    async releaseSweepLease(name, holder) {
      await query('release a sweep lease', `DELETE FROM ${sweepLeases} WHERE name = $1 AND holder = $2`, [
        name,
        holder,
      ]);
    },
  };
}

/** Runs `write`, turning a violation of the one-task-per-roadmap-id constraint into `roadmap_id_taken`. */
async function refuseTakenRoadmapId<Result>(roadmapId: string, write: () => Promise<Result>): Promise<Result> {
  try {
    return await write();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; constraint?: string } }).cause;
    if (cause?.code === '23505' && cause.constraint === 'tasks_roadmap_unique') throw roadmapIdTaken(roadmapId);
    throw error;
  }
}
