import type {
  AcquireLeaseResult,
  CreatedTask,
  LeaseClaim,
  NewRoadmapEvent,
  StatusChange,
  TaskListQuery,
  TaskRecord,
  TaskStatus,
  TaskStore,
  TaskTransition,
  UsageReport,
  UsageTotals,
  UserAtLimit,
} from '@roadmap/core';
import { addUsage, roundUsd } from '@roadmap/core';
import {
  roadmapIdTaken,
  type StatusCountEntry,
  type TaskRow,
  taskColumns,
  taskCountsFrom,
  taskFromRow,
  taskPatchColumns,
  taskToRow,
  totalOf,
} from '@roadmap/core/internal';
import type BetterSqlite3 from 'better-sqlite3';
import { createStatementCache } from './connection.js';
import { createEventInsert } from './eventInsert.js';
import { bindPatch } from './rows.js';
import { fenceParameters, held } from './statements.js';
import { guard } from './storageError.js';

/**
 * The task part of the storage ({@link TaskStore}) on SQLite. Every status change and lease claim is one
 * compare-and-set `UPDATE … WHERE … RETURNING *`; fenced writes carry the lease check in their `WHERE`; a list reads
 * its counts and its page in one transaction.
 */
export function createTaskStore(database: BetterSqlite3.Database): TaskStore {
  const prepare = createStatementCache(database);
  const insertTask = prepare(
    `INSERT INTO tasks (${taskColumns.join(', ')}) VALUES (${taskColumns.map((column) => `@${column}`).join(', ')})
     ON CONFLICT (user_id, idempotency_key) DO NOTHING RETURNING *`,
  );
  const appendEvent = createEventInsert(prepare);
  const selectTask = prepare('SELECT * FROM tasks WHERE task_id = ?');
  const selectTaskByKey = prepare('SELECT * FROM tasks WHERE user_id = ? AND idempotency_key = ?');
  const selectHeldTask = prepare(`SELECT * FROM tasks WHERE ${held}`);
  const acquire = prepare(
    `UPDATE tasks SET lease_taken_from = status, status = 'processing', lease_token = @token,
       lease_expires_at = @expiresAt, attempts = attempts + 1, updated_at = @updatedAt
     WHERE task_id = @taskId AND (status = 'pending' OR (status = 'processing'
       AND (lease_token IS NULL OR lease_expires_at IS NULL OR lease_expires_at <= @now)))
     RETURNING *`,
  );
  const claimable = prepare(
    `SELECT user_id FROM tasks WHERE task_id = @taskId AND (status = 'pending' OR (status = 'processing'
       AND (lease_token IS NULL OR lease_expires_at IS NULL OR lease_expires_at <= @now)))`,
  );
  // The user's other tasks under live leases (from the index on user_id).
  const userProcessing = prepare(
    `SELECT count(*) AS count FROM tasks WHERE user_id = @userId AND task_id <> @taskId AND status = 'processing'
       AND lease_token IS NOT NULL AND lease_expires_at > @now`,
  );
  const renew = prepare(`UPDATE tasks SET lease_expires_at = @expiresAt WHERE ${held}`);
  const release = prepare(`UPDATE tasks SET lease_token = NULL, lease_expires_at = NULL WHERE ${held}`);
  const selectRecoverable = prepare(
    `SELECT * FROM tasks
     WHERE status IN ('pending', 'processing') AND task_id > @afterTaskId
       AND ((status = 'pending' AND (@pendingUpdatedBefore IS NULL OR updated_at <= @pendingUpdatedBefore))
         OR (status = 'processing' AND (lease_token IS NULL OR lease_expires_at IS NULL OR lease_expires_at <= @now)))
     ORDER BY task_id LIMIT @limit`,
  );
  // From tasks_paused: the paused tasks with this reason, from the keyset on.
  const selectPaused = prepare(
    `SELECT * FROM tasks WHERE status = 'paused' AND pause_reason = @pauseReason AND task_id > @afterTaskId
     ORDER BY task_id LIMIT @limit`,
  );
  const upsertSweepLease = prepare(
    `INSERT INTO sweep_leases (name, holder, expires_at) VALUES (@name, @holder, @expiresAt)
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
     WHERE sweep_leases.holder = excluded.holder OR sweep_leases.expires_at <= @now`,
  );
  const deleteSweepLease = prepare('DELETE FROM sweep_leases WHERE name = ? AND holder = ?');
  // Rows written before tasks carried usage hold NULL: they add nothing.
  const sumUsage = prepare(
    `SELECT coalesce(sum(json_extract(usage, '$.calls')), 0) AS calls,
       coalesce(sum(json_extract(usage, '$.input_tokens')), 0) AS input_tokens,
       coalesce(sum(json_extract(usage, '$.output_tokens')), 0) AS output_tokens,
       coalesce(sum(json_extract(usage, '$.cost_usd')), 0) AS cost_usd
     FROM tasks WHERE user_id = @userId AND created_at >= @createdFrom AND created_at < @createdBefore`,
  );
  const read = (row: unknown) => (row === undefined ? null : taskFromRow(row as TaskRow));

  const readTaskList = database.transaction((query: TaskListQuery) => {
    const scope: string[] = [];
    const parameters: Record<string, unknown> = {
      limit: query.limit ?? 50,
      offset: query.offset ?? 0,
    };
    if (query.userId !== undefined) {
      scope.push('user_id = @userId');
      parameters.userId = query.userId;
    }
    if (query.roadmapId !== undefined) {
      scope.push('roadmap_id = @roadmapId');
      parameters.roadmapId = query.roadmapId;
    }
    const where = (conditions: string[]) => (conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`);
    const grouped = prepare(`SELECT status, count(*) AS count FROM tasks ${where(scope)} GROUP BY status`);
    const counts = taskCountsFrom(grouped.all(parameters) as StatusCountEntry[]);
    const conditions = [...scope];
    if (query.statuses) {
      conditions.push('status IN (SELECT value FROM json_each(@statuses))');
      parameters.statuses = JSON.stringify(query.statuses);
    }
    const rows = prepare(
      `SELECT * FROM tasks ${where(conditions)} ORDER BY created_at DESC, task_id DESC LIMIT @limit OFFSET @offset`,
    ).all(parameters) as TaskRow[];
    return { tasks: rows.map(taskFromRow), total: totalOf(counts, query.statuses), counts };
  });

  /** The claim, and with a user limit the count of the user's processing tasks before it, under the write lock. */
  const acquireTransaction = database.transaction(
    (taskId: string, lease: LeaseClaim): AcquireLeaseResult | UserAtLimit | null => {
      const { token, now, expiresAt, updatedAt, userLimit } = lease;
      if (userLimit !== undefined) {
        const task = claimable.get({ taskId, now }) as { user_id: string } | undefined;
        if (!task) return null;
        const { count } = userProcessing.get({ userId: task.user_id, taskId, now }) as { count: number };
        if (count >= userLimit) return { userAtLimit: true };
      }
      const row = acquire.get({ taskId, token, now, expiresAt, updatedAt }) as
        | (TaskRow & { lease_taken_from: TaskStatus })
        | undefined;
      if (!row) return null;
      const previousStatus = row.lease_taken_from;
      return { task: taskFromRow(row), previousStatus, recovered: previousStatus === 'processing' };
    },
  );

  const createTransaction = database.transaction(
    (record: TaskRecord, event: ((task: TaskRecord) => NewRoadmapEvent) | undefined): CreatedTask => {
      const same = selectTask.get(record.task_id) as TaskRow | undefined;
      if (same) {
        // The same record again (a retried call with its key) is deduplicated; any other reuse of the id is a bug.
        const retried = record.idempotency_key !== null && same.user_id === record.user_id;
        if (!retried || same.idempotency_key !== record.idempotency_key) {
          throw new Error(`Task ${record.task_id} already exists.`);
        }
        return { task: taskFromRow(same), created: false, event: null };
      }
      const inserted = insertTask.get(taskToRow(record)) as TaskRow | undefined;
      if (inserted) {
        const task = taskFromRow(inserted);
        return { task, created: true, event: event ? appendEvent(event(task)) : null };
      }
      // Not inserted: the (user, idempotency key) exists — return that task.
      const existing = selectTaskByKey.get(record.user_id, record.idempotency_key) as TaskRow | undefined;
      if (!existing) throw new Error(`Task ${record.task_id} already exists.`);
      return { task: taskFromRow(existing), created: false, event: null };
    },
  );

  /** Read and write under the write lock: no other connection's write of the usage comes between. */
  const addUsageTransaction = database.transaction((taskId: string, usage: UsageReport): TaskRecord | null => {
    const row = selectTask.get(taskId) as TaskRow | undefined;
    if (!row) return null;
    const total = addUsage(taskFromRow(row).usage, usage);
    return read(updateUsage.get({ taskId, usage: JSON.stringify(total) }));
  });
  const updateUsage = prepare('UPDATE tasks SET usage = @usage WHERE task_id = @taskId RETURNING *');

  /** The compare-and-set and, when the change carries one, its event: one transaction, both or neither. */
  const transitionTransaction = database.transaction((taskId: string, change: StatusChange): TaskTransition | null => {
    const { assignments, values } = bindPatch(taskPatchColumns(change.patch));
    const fenced = change.leaseToken !== undefined;
    const statement = prepare(
      `UPDATE tasks SET ${['status = @to', ...assignments].join(', ')}
       WHERE task_id = @taskId AND status IN (SELECT value FROM json_each(@from))
       ${fenced ? 'AND lease_token = @leaseToken' : ''} RETURNING *`,
    );
    const task = read(
      statement.get({
        ...values,
        taskId,
        to: change.to,
        from: JSON.stringify(change.from),
        ...(fenced ? { leaseToken: change.leaseToken } : {}),
      }),
    );
    if (!task) return null;
    return { task, event: change.event ? appendEvent(change.event(task)) : null };
  });

  return {
    async createTask(record, event) {
      return guard('createTask', () =>
        refuseTakenRoadmapId(record.roadmap_id, () => createTransaction.immediate(record, event)),
      );
    },

    async getTask(taskId) {
      return guard('getTask', () => read(selectTask.get(taskId)));
    },

    async listTasks(query) {
      return guard('listTasks', () => readTaskList(query));
    },

    async sumUsage(query) {
      return guard('sumUsage', () => {
        const row = sumUsage.get(query) as UsageTotals;
        return { ...row, cost_usd: roundUsd(row.cost_usd) };
      });
    },

    async addTaskUsage(taskId, usage) {
      return guard('addTaskUsage', () => addUsageTransaction.immediate(taskId, usage));
    },

    async transitionTask(taskId, change) {
      return guard('transitionTask', () => transitionTransaction.immediate(taskId, change));
    },

    async updateTask(fence, patch) {
      return guard('updateTask', () => {
        const { assignments, values } = bindPatch(taskPatchColumns(patch));
        const statement =
          assignments.length === 0
            ? selectHeldTask
            : prepare(`UPDATE tasks SET ${assignments.join(', ')} WHERE ${held} RETURNING *`);
        return refuseTakenRoadmapId(patch.roadmap_id ?? '', () =>
          read(statement.get({ ...fenceParameters(fence), ...values })),
        );
      });
    },

    async acquireLease(taskId, lease) {
      return guard('acquireLease', () => acquireTransaction.immediate(taskId, lease));
    },

    async renewLease(fence, expiresAt) {
      return guard('renewLease', () => renew.run({ ...fenceParameters(fence), expiresAt }).changes > 0);
    },

    async releaseLease(fence) {
      return guard('releaseLease', () => release.run(fenceParameters(fence)).changes > 0);
    },

    async listRecoverableTasks(query) {
      return guard('listRecoverableTasks', () =>
        (
          selectRecoverable.all({
            now: query.now,
            pendingUpdatedBefore: query.pendingUpdatedBefore,
            afterTaskId: query.afterTaskId ?? '',
            limit: query.limit,
          }) as TaskRow[]
        ).map(taskFromRow),
      );
    },

    async listPausedTasks(query) {
      return guard('listPausedTasks', () =>
        (
          selectPaused.all({
            pauseReason: query.pauseReason,
            afterTaskId: query.afterTaskId ?? '',
            limit: query.limit,
          }) as TaskRow[]
        ).map(taskFromRow),
      );
    },

    async acquireSweepLease(lease) {
      return guard('acquireSweepLease', () => upsertSweepLease.run(lease).changes > 0);
    },

    async releaseSweepLease(name, holder) {
      guard('releaseSweepLease', () => deleteSweepLease.run(name, holder));
    },
  };
}

/** Runs `write`, turning a violation of the one-task-per-roadmap-id index into `roadmap_id_taken`. */
function refuseTakenRoadmapId<Result>(roadmapId: string, write: () => Result): Result {
  try {
    return write();
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' && String(message).includes('tasks.roadmap_id')) {
      throw roadmapIdTaken(roadmapId);
    }
    throw error;
  }
}
