import type BetterSqlite3 from 'better-sqlite3';
import { createStatementCache, type Statement } from './connection.js';
import { taskColumns } from './rows.js';

/** Condition "`tasks` row `@taskId` is held by `@leaseToken`": the fence of every worker write. */
export const held = `tasks.task_id = @taskId AND tasks.status = 'processing' AND tasks.lease_token = @leaseToken`;
const holderExists = `EXISTS (SELECT 1 FROM tasks WHERE ${held})`;

/** Columns of `content_items` and `events` as the adapter reads them. */
export const itemColumns = 'roadmap_id, concept_id, kind, status, content, error, updated_at';
export const eventColumns = 'task_id, user_id, type, timestamp, payload';

/** `SET` assignments of a task patch's columns, bound as `@patch_<column>`. */
export const patchAssignments = (columns: readonly string[]) =>
  columns.map((column) => `${column} = @patch_${column}`).join(', ');

/** The adapter's statements, each prepared once per connection. */
export type Statements = { readonly prepare: (sql: string) => Statement } & Readonly<Record<StatementName, Statement>>;

type StatementName =
  | 'insertTask'
  | 'selectTask'
  | 'selectTaskByKey'
  | 'selectHeldTask'
  | 'acquire'
  | 'renew'
  | 'release'
  | 'selectOrphans'
  | 'upsertCheckpoint'
  | 'selectCheckpoints'
  | 'upsertRoadmap'
  | 'nextOrdinal'
  | 'planItem'
  | 'selectRoadmap'
  | 'selectItemStatuses'
  | 'selectUserRoadmaps'
  | 'selectUserItemStatuses'
  | 'updateItemStatus'
  | 'completeItem'
  | 'resetMatchingItems'
  | 'selectItems'
  | 'selectConceptItems'
  | 'insertEvent'
  | 'insertFencedEvent';

/**
 * Prepares the adapter's fixed statements once per connection. `prepare` (a cache) prepares the few statements
 * whose text depends on the call — a task patch's columns, a list's filters — once per shape.
 */
export function prepareStatements(database: BetterSqlite3.Database): Statements {
  const prepare = createStatementCache(database);
  const insertTask = prepare(
    `INSERT INTO tasks (${taskColumns.join(', ')}) VALUES (${taskColumns.map((column) => `@${column}`).join(', ')})
     ON CONFLICT DO NOTHING RETURNING *`,
  );
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
  const renew = prepare(`UPDATE tasks SET lease_expires_at = @expiresAt WHERE ${held}`);
  const release = prepare(`UPDATE tasks SET lease_token = NULL, lease_expires_at = NULL WHERE ${held}`);
  const selectOrphans = prepare(
    `SELECT * FROM tasks WHERE status = 'processing'
       AND (lease_token IS NULL OR lease_expires_at IS NULL OR lease_expires_at <= ?) ORDER BY rowid`,
  );
  const upsertCheckpoint = prepare(
    `INSERT INTO checkpoints (task_id, key, value) SELECT @taskId, @key, @value WHERE ${holderExists}
     ON CONFLICT (task_id, key) DO UPDATE SET value = excluded.value`,
  );
  const selectCheckpoints = prepare('SELECT key, value FROM checkpoints WHERE task_id = ? ORDER BY rowid');
  const upsertRoadmap = prepare(
    `INSERT INTO roadmaps (roadmap_id, user_id, created_at, body)
     SELECT @roadmapId, @userId, @createdAt, @body WHERE ${holderExists}
     ON CONFLICT (roadmap_id) DO UPDATE
       SET user_id = excluded.user_id, created_at = excluded.created_at, body = excluded.body`,
  );
  const nextOrdinal = prepare(
    'SELECT coalesce(max(ordinal) + 1, 0) AS next FROM content_items WHERE roadmap_id = ?',
  ).pluck();
  const planItem = prepare(
    `INSERT INTO content_items (roadmap_id, concept_id, kind, ordinal, status, content, error, updated_at)
     VALUES (?, ?, ?, ?, 'pending', NULL, NULL, ?) ON CONFLICT DO NOTHING`,
  );
  const selectRoadmap = prepare('SELECT body FROM roadmaps WHERE roadmap_id = ?').pluck();
  const selectItemStatuses = prepare('SELECT concept_id, kind, status FROM content_items WHERE roadmap_id = ?');
  const selectUserRoadmaps = prepare(
    'SELECT roadmap_id, body FROM roadmaps WHERE user_id = ? ORDER BY created_at DESC, roadmap_id DESC',
  );
  const selectUserItemStatuses = prepare(
    `SELECT roadmap_id, concept_id, kind, status FROM content_items
     WHERE roadmap_id IN (SELECT roadmap_id FROM roadmaps WHERE user_id = ?)`,
  );
  const itemWhere = 'roadmap_id = @roadmapId AND concept_id = @conceptId AND kind = @kind';
  const updateItemStatus = prepare(
    `UPDATE content_items SET status = @status, error = @error, updated_at = @updatedAt
     WHERE ${itemWhere} AND ${holderExists}`,
  );
  const completeItem = prepare(
    `UPDATE content_items SET status = 'completed', content = @content, error = NULL, updated_at = @updatedAt
     WHERE ${itemWhere} AND ${holderExists}`,
  );
  const resetMatchingItems = prepare(
    `UPDATE content_items SET status = 'pending', error = NULL, updated_at = @updatedAt
     WHERE roadmap_id = @roadmapId AND status IN (SELECT value FROM json_each(@statuses))
       AND (@conceptId IS NULL OR concept_id = @conceptId) AND (@kind IS NULL OR kind = @kind)`,
  );
  const selectItems = prepare(`SELECT ${itemColumns} FROM content_items WHERE roadmap_id = ? ORDER BY ordinal`);
  const selectConceptItems = prepare(
    `SELECT ${itemColumns} FROM content_items WHERE roadmap_id = ? AND concept_id = ? ORDER BY ordinal`,
  );
  const insertEvent = prepare(
    `INSERT INTO events (${eventColumns}) VALUES (@task_id, @user_id, @type, @timestamp, @payload) RETURNING seq`,
  ).pluck();
  const insertFencedEvent = prepare(
    `INSERT INTO events (${eventColumns}) SELECT @task_id, @user_id, @type, @timestamp, @payload
     WHERE ${holderExists} RETURNING seq`,
  ).pluck();

  return {
    prepare,
    insertTask,
    selectTask,
    selectTaskByKey,
    selectHeldTask,
    acquire,
    renew,
    release,
    selectOrphans,
    upsertCheckpoint,
    selectCheckpoints,
    upsertRoadmap,
    nextOrdinal,
    planItem,
    selectRoadmap,
    selectItemStatuses,
    selectUserRoadmaps,
    selectUserItemStatuses,
    updateItemStatus,
    completeItem,
    resetMatchingItems,
    selectItems,
    selectConceptItems,
    insertEvent,
    insertFencedEvent,
  };
}
