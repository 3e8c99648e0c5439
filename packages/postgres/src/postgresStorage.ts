import type {
  AcquireLeaseResult,
  ContentItem,
  EventQuery,
  LeaseFence,
  NewRoadmapEvent,
  Roadmap,
  RoadmapEvent,
  Storage,
  TaskListQuery,
  TaskListResult,
  TaskPatch,
  TaskStatus,
} from '@roadmap/core';
import { RoadmapError, taskStatuses } from '@roadmap/core';
import pg from 'pg';
import { createCoverMethods } from './coverQueries.js';
import { quoteSchema, runQuery } from './database.js';
import { applyMigrations } from './migrations.js';
import {
  type ContentItemRow,
  patchAssignments,
  plannedItems,
  type TaskRow,
  taskInsert,
  toContentItem,
  toTaskRecord,
  withItemStatuses,
} from './taskRows.js';

/** Settings of the pool the storage creates (ignored when you pass `pool`). */
export interface PostgresPoolOptions {
  /** Most connections open at once. Default: 10 (pg's default). */
  max?: number;
  /** Milliseconds an idle connection stays open before it is closed. Default: 10 000 (pg's default). */
  idleTimeoutMillis?: number;
  /** Milliseconds to wait for a connection before a query fails; 0 waits forever. Default: 0 (pg's default). */
  connectionTimeoutMillis?: number;
  /** Server-side limit of every statement in milliseconds (PostgreSQL `statement_timeout`). Default: none. */
  statement_timeout?: number;
}

export interface PostgresStorageOptions {
  /**
   * Where the database is, e.g. `postgres://user:password@host:5432/database` (usually `DATABASE_URL`).
   * Default: `process.env.DATABASE_URL`, then pg's `PG*` environment variables. Ignored when `pool` is given.
   */
  connectionString?: string;
  /** Bring your own pool; `close()` then leaves it open (you end it). Default: a pool the storage creates and owns. */
  pool?: pg.Pool;
  /** Settings of the pool the storage creates. Default: pg's defaults. */
  poolOptions?: PostgresPoolOptions;
  /** Schema holding the tables; several independent stores can share a database under different schemas. Default: `roadmap`. */
  schema?: string;
  /** Whether to apply pending migrations before the storage is returned. Default: true. */
  migrate?: boolean;
  /** Clock reading used for `updated_at` of content items. Default: `Date.now`. */
  now?: () => number;
}

/** A {@link Storage} on PostgreSQL, with its pool and migration control. */
export interface PostgresStorage extends Storage {
  /** The pool every query runs on. */
  readonly pool: pg.Pool;
  /** The schema holding the tables. */
  readonly schema: string;
  /** Applies pending migrations (idempotent, safe from several processes at once). */
  migrate(): Promise<void>;
  /** Ends the pool when the storage created it; a pool passed in as `pool` stays open. */
  close(): Promise<void>;
}

interface EventRow {
  seq: string;
  event: Omit<RoadmapEvent, 'seq'>;
}

interface RoadmapRow {
  framework: Roadmap;
  statuses: Array<[string, string, string]>;
}

const fenced = `status = 'processing' AND lease_token = $2`;

/**
 * Creates a `Storage` on PostgreSQL and, unless `migrate: false`, brings its schema up to date first.
 *
 * - Every status change is one compare-and-set `UPDATE … WHERE task_id = $1 AND status = ANY($2)
 *   [AND lease_token = $3] RETURNING *`; fenced writes check `status = 'processing' AND lease_token` in the same
 *   statement, locking the task row (`FOR SHARE`, or the `UPDATE` itself) so a cancel waits for them.
 * - `acquireLease` is one `UPDATE … FROM (SELECT … FOR UPDATE) RETURNING`: the CTE locks the row and reads the
 *   previous status; a concurrent claimer waits on the lock, then re-checks the condition on the committed row
 *   (READ COMMITTED), so exactly one wins and the previous status is exact.
 * - `appendEvent` serializes appends per schema with a transaction-level advisory lock taken before the `seq` is
 *   drawn: seqs become visible in increasing order, so replaying "every event after `seq`" never skips one.
 *
 * @example
 * const storage = await createPostgresStorage({ connectionString: process.env.DATABASE_URL });
 * const engine = new RoadmapEngine({ storage, queue, model });
 * // …
 * await storage.close();
 */
export async function createPostgresStorage(options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
  const schemaName = options.schema ?? 'roadmap';
  const schema = quoteSchema(schemaName);
  const now = options.now ?? Date.now;
  const ownsPool = options.pool === undefined;
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString ?? process.env.DATABASE_URL,
      ...options.poolOptions,
    });
  // An idle connection that breaks (server restart) is dropped by the pool; the next query reports the failure.
  if (ownsPool) pool.on('error', () => {});

  const tasks = `${schema}.tasks`;
  const checkpoints = `${schema}.checkpoints`;
  const roadmaps = `${schema}.roadmaps`;
  const items = `${schema}.content_items`;
  const events = `${schema}.events`;

  const query = <Row extends pg.QueryResultRow>(operation: string, text: string, values: readonly unknown[] = []) =>
    runQuery<Row>(pool, operation, text, values);
  const isoNow = () => new Date(now()).toISOString();

  /** Fenced write of one content item; `taskPatch` is applied to the task in the same statement. */
  const writeItem = async (
    operation: string,
    fence: LeaseFence,
    item: { roadmapId: string; conceptId: string; kind: string },
    assignments: (values: unknown[]) => string[],
    taskPatch: TaskPatch | undefined,
  ): Promise<boolean> => {
    const values: unknown[] = [fence.taskId, fence.leaseToken, item.roadmapId, item.conceptId, item.kind];
    const itemKey = 'roadmap_id = $3 AND concept_id = $4 AND kind = $5';
    const patch = patchAssignments(taskPatch, values);
    const itemSets = assignments(values);
    // With a patch, the task UPDATE is the fence (it locks the row); without one, a FOR SHARE lock is.
    const holder =
      patch.length > 0
        ? `UPDATE ${tasks} SET ${patch.join(', ')} WHERE task_id = $1 AND ${fenced}
             AND EXISTS (SELECT 1 FROM ${items} WHERE ${itemKey}) RETURNING task_id`
        : `SELECT task_id FROM ${tasks} WHERE task_id = $1 AND ${fenced} FOR SHARE`;
    const result = await query(
      operation,
      `WITH holder AS (${holder})
       UPDATE ${items} SET ${itemSets.join(', ')} WHERE ${itemKey} AND EXISTS (SELECT 1 FROM holder)`,
      values,
    );
    return result.rowCount === 1;
  };

  const readRoadmap = (row: RoadmapRow): Roadmap => withItemStatuses(row.framework, row.statuses);
  const roadmapSelect = `SELECT r.framework,
      coalesce((SELECT jsonb_agg(jsonb_build_array(i.concept_id, i.kind, i.status)) FROM ${items} i
                WHERE i.roadmap_id = r.roadmap_id), '[]'::jsonb) AS statuses
    FROM ${roadmaps} r`;

  const storage: PostgresStorage = {
    specificationVersion: 'v1',
    pool,
    schema: schemaName,

    async migrate() {
      await applyMigrations(pool, schemaName);
    },

    async close() {
      if (ownsPool && !pool.ended) await pool.end();
    },

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
      if (created) return { task: toTaskRecord(created), created: true };
      // The conflicting insert has committed (ON CONFLICT waited for it): this statement's snapshot sees it.
      const existing = await query<TaskRow>(
        'create a task',
        `SELECT * FROM ${tasks} WHERE user_id = $1 AND idempotency_key = $2`,
        [record.user_id, record.idempotency_key],
      );
      const found = existing.rows[0];
      if (!found) throw new RoadmapError('storage_error', `Task ${record.task_id} conflicts but was not found.`);
      return { task: toTaskRecord(found), created: false };
    },

    async getTask(taskId) {
      const result = await query<TaskRow>('read a task', `SELECT * FROM ${tasks} WHERE task_id = $1`, [taskId]);
      const row = result.rows[0];
      return row ? toTaskRecord(row) : null;
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
      const result = await query<{ counts: Record<string, number>; tasks: TaskRow[] }>(
        'list tasks',
        `SELECT
           (SELECT coalesce(jsonb_object_agg(status, count), '{}'::jsonb)
              FROM (SELECT status, count(*) AS count FROM ${tasks} ${countFilter} GROUP BY status) grouped) AS counts,
           (SELECT coalesce(jsonb_agg(to_jsonb(page) ORDER BY page.created_at DESC, page.task_id DESC), '[]'::jsonb)
              FROM (SELECT * FROM ${tasks} ${pageFilter} ORDER BY created_at DESC, task_id DESC
                    LIMIT $${values.length - 1} OFFSET $${values.length}) page) AS tasks`,
        values,
      );
      const row = result.rows[0] ?? { counts: {}, tasks: [] };
      const counts = Object.fromEntries(
        taskStatuses.map((status) => [status, Number(row.counts[status] ?? 0)]),
      ) as Record<TaskStatus, number>;
      const counted = listQuery.statuses ? [...new Set(listQuery.statuses)] : taskStatuses;
      const total = counted.reduce((sum, status) => sum + (counts[status] ?? 0), 0);
      return { tasks: row.tasks.map(toTaskRecord), total, counts };
    },

    async transitionTask(taskId, change) {
      const values: unknown[] = [taskId, [...change.from], change.to];
      const sets = ['status = $3', ...patchAssignments(change.patch, values)];
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
      return row ? toTaskRecord(row) : null;
    },

    async updateTask(fence, patch) {
      const values: unknown[] = [fence.taskId, fence.leaseToken];
      const sets = patchAssignments(patch, values);
      const result = await query<TaskRow>(
        'update a task',
        `UPDATE ${tasks} SET ${sets.length > 0 ? sets.join(', ') : 'status = status'}
         WHERE task_id = $1 AND ${fenced} RETURNING *`,
        values,
      );
      const row = result.rows[0];
      return row ? toTaskRecord(row) : null;
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
      return { task: toTaskRecord(taskRow), previousStatus, recovered: previousStatus === 'processing' };
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
      return result.rows.map(toTaskRecord);
    },

    async saveCheckpoint(fence, key, value) {
      const result = await query(
        'save a checkpoint',
        `WITH holder AS (SELECT task_id FROM ${tasks} WHERE task_id = $1 AND ${fenced} FOR SHARE)
         INSERT INTO ${checkpoints} (task_id, key, value) SELECT task_id, $3, $4::jsonb FROM holder
         ON CONFLICT (task_id, key) DO UPDATE SET value = excluded.value`,
        [fence.taskId, fence.leaseToken, key, JSON.stringify(value)],
      );
      return result.rowCount === 1;
    },

    async getCheckpoints(taskId) {
      const result = await query<{ key: string; value: unknown }>(
        'read checkpoints',
        `SELECT key, value FROM ${checkpoints} WHERE task_id = $1`,
        [taskId],
      );
      return Object.fromEntries(result.rows.map((row) => [row.key, row.value]));
    },

    async saveRoadmap(fence, roadmap) {
      const { conceptIds, kinds } = plannedItems(roadmap);
      // New items go after every existing one (planned order); items already planned are kept as they are.
      const result = await query<{ saved: number }>(
        'save a roadmap',
        `WITH holder AS (SELECT task_id FROM ${tasks} WHERE task_id = $1 AND ${fenced} FOR SHARE),
         saved AS (
           INSERT INTO ${roadmaps} (roadmap_id, user_id, created_at, framework)
           SELECT $3, $4, $5, $6::jsonb FROM holder
           ON CONFLICT (roadmap_id) DO UPDATE
             SET user_id = excluded.user_id, created_at = excluded.created_at, framework = excluded.framework
           RETURNING roadmap_id
         ),
         planned AS (
           INSERT INTO ${items} (roadmap_id, concept_id, kind, ordinal, status, content, error, updated_at)
           SELECT saved.roadmap_id, plan.concept_id, plan.kind,
                  (SELECT coalesce(max(ordinal), 0) FROM ${items} WHERE roadmap_id = $3) + plan.position,
                  'pending', NULL, NULL, $9
           FROM saved, unnest($7::text[], $8::text[]) WITH ORDINALITY AS plan(concept_id, kind, position)
           ON CONFLICT (roadmap_id, concept_id, kind) DO NOTHING
         )
         SELECT count(*)::int AS saved FROM saved`,
        [
          fence.taskId,
          fence.leaseToken,
          roadmap.roadmap_id,
          roadmap.user_id,
          roadmap.created_at,
          JSON.stringify(roadmap),
          conceptIds,
          kinds,
          isoNow(),
        ],
      );
      return (result.rows[0]?.saved ?? 0) === 1;
    },

    async getRoadmap(roadmapId) {
      const result = await query<RoadmapRow>('read a roadmap', `${roadmapSelect} WHERE r.roadmap_id = $1`, [roadmapId]);
      const row = result.rows[0];
      return row ? readRoadmap(row) : null;
    },

    async listRoadmaps(userId) {
      const result = await query<RoadmapRow>(
        'list roadmaps',
        `${roadmapSelect} WHERE r.user_id = $1 ORDER BY r.created_at DESC, r.roadmap_id DESC`,
        [userId],
      );
      return result.rows.map(readRoadmap);
    },

    async setItemStatus(fence, item, status, error, taskPatch) {
      return writeItem(
        'set an item status',
        fence,
        item,
        (values) => {
          values.push(status, status === 'failed' ? (error ?? 'failed') : null, isoNow());
          const at = values.length;
          return [`status = $${at - 2}`, `error = $${at - 1}`, `updated_at = $${at}`];
        },
        taskPatch,
      );
    },

    async saveItem(fence, item, taskPatch) {
      return writeItem(
        'save an item',
        fence,
        item,
        (values) => {
          values.push(JSON.stringify(item.content), isoNow());
          const at = values.length;
          return [`status = 'completed'`, `content = $${at - 1}::jsonb`, 'error = NULL', `updated_at = $${at}`];
        },
        taskPatch,
      );
    },

    async resetItems(roadmapId, filter) {
      const values: unknown[] = [roadmapId, [...filter.statuses], isoNow()];
      let condition = 'roadmap_id = $1 AND status = ANY($2::text[])';
      if (filter.conceptId !== undefined) {
        values.push(filter.conceptId);
        condition += ` AND concept_id = $${values.length}`;
      }
      if (filter.kind !== undefined) {
        values.push(filter.kind);
        condition += ` AND kind = $${values.length}`;
      }
      const result = await query(
        'reset items',
        `UPDATE ${items} SET status = 'pending', error = NULL, updated_at = $3 WHERE ${condition}`,
        values,
      );
      return result.rowCount ?? 0;
    },

    async listItems(roadmapId, conceptId): Promise<ContentItem[]> {
      const values: unknown[] = [roadmapId];
      let condition = 'roadmap_id = $1';
      if (conceptId !== undefined) {
        values.push(conceptId);
        condition += ' AND concept_id = $2';
      }
      const result = await query<ContentItemRow>(
        'list items',
        `SELECT roadmap_id, concept_id, kind, status, content, error, updated_at FROM ${items}
         WHERE ${condition} ORDER BY ordinal`,
        values,
      );
      return result.rows.map(toContentItem);
    },

    async appendEvent(event: NewRoadmapEvent, fence?: LeaseFence) {
      const result = await query<{ seq: string | null }>(
        'append an event',
        `SELECT ${schema}.append_event($1, $2, $3::jsonb, $4, $5) AS seq`,
        [event.task_id, event.user_id, JSON.stringify(event), fence?.taskId ?? null, fence?.leaseToken ?? null],
      );
      const seq = result.rows[0]?.seq;
      if (seq === null || seq === undefined) return null;
      return { ...(JSON.parse(JSON.stringify(event)) as NewRoadmapEvent), seq: Number(seq) } as RoadmapEvent;
    },

    async listEvents(eventQuery: EventQuery) {
      const values: unknown[] = [eventQuery.after ?? 0];
      let condition = 'seq > $1::bigint';
      if (eventQuery.taskId !== undefined) {
        values.push(eventQuery.taskId);
        condition += ` AND task_id = $${values.length}`;
      }
      if (eventQuery.userId !== undefined) {
        values.push(eventQuery.userId);
        condition += ` AND user_id = $${values.length}`;
      }
      values.push(eventQuery.limit ?? 1000);
      const result = await query<EventRow>(
        'list events',
        `SELECT seq, event FROM ${events} WHERE ${condition} ORDER BY seq LIMIT $${values.length}`,
        values,
      );
      return result.rows.map((row) => ({ ...row.event, seq: Number(row.seq) }) as RoadmapEvent);
    },

    ...createCoverMethods(pool, schema),
  };

  if (options.migrate ?? true) {
    try {
      await storage.migrate();
    } catch (error) {
      await storage.close().catch(() => {});
      throw error;
    }
  }
  return storage;
}
