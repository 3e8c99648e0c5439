import {
  type AcquireLeaseResult,
  type ContentKind,
  type ContentValue,
  contentKinds,
  type EventQuery,
  type ItemStatus,
  type LeaseFence,
  type NewRoadmapEvent,
  type Roadmap,
  type RoadmapEvent,
  type StatusChange,
  type Storage,
  type TaskListQuery,
  type TaskListResult,
  type TaskPatch,
  type TaskStatus,
  taskStatuses,
} from '@roadmap/core';
import type BetterSqlite3 from 'better-sqlite3';
import { configureDatabase, openDatabase, type Statement } from './connection.js';
import { createCoverMethods } from './coverStatements.js';
import { migrate } from './migrations.js';
import {
  checkpointFromColumn,
  checkpointToColumn,
  type EventRow,
  eventFromRow,
  eventToRow,
  type ItemRow,
  itemFromRow,
  type PatchParameters,
  patchParameters,
  type TaskRow,
  taskFromRow,
  taskToRow,
} from './rows.js';
import { eventColumns, held, patchAssignments, prepareStatements } from './statements.js';
import { toStorageError } from './storageError.js';

interface CommonOptions {
  /** Clock reading used for `updated_at` of content items. Default: `Date.now`. */
  now?: () => number;
  /**
   * How long a write waits for another connection (or process) holding the write lock before it fails with a
   * retryable `storage_error`, in milliseconds. Default: 5000.
   */
  busyTimeoutMs?: number;
}

export type SqliteStorageOptions = CommonOptions &
  (
    | {
        /**
         * Path of the database file, created (with its schema) when missing; `':memory:'` for a private
         * in-memory database that lives as long as the storage. The storage owns this connection: `close()`
         * closes it.
         */
        filename: string;
        database?: undefined;
      }
    | {
        /**
         * An open better-sqlite3 connection to use instead of opening a file. It is configured (WAL,
         * `synchronous = NORMAL`, busy timeout, foreign keys) and migrated like an opened one; the caller keeps
         * owning it: `close()` leaves it open.
         */
        database: BetterSqlite3.Database;
        filename?: undefined;
      }
  );

/** A {@link Storage} on SQLite, plus access to its connection. */
export interface SqliteStorage extends Storage {
  /** The better-sqlite3 connection (for backups, inspection, or sharing with the application). */
  readonly database: BetterSqlite3.Database;
  /** Closes the connection when the storage opened it (from `filename`); idempotent. */
  close(): void;
}

const fenceParameters = (fence: LeaseFence) => ({ taskId: fence.taskId, leaseToken: fence.leaseToken });

/**
 * Creates a `Storage` on SQLite (better-sqlite3): the durable default for one machine. Several processes may
 * share one file (WAL); every status change is one compare-and-set `UPDATE`, and every fenced write checks the
 * lease in the same statement or transaction, so the guarantees hold across connections.
 *
 * @example
 * const storage = createSqliteStorage({ filename: './roadmaps.db' });
 * const engine = new RoadmapEngine({ storage, queue: createMemoryQueue(), model });
 * // …
 * await engine.stop();
 * storage.close();
 */
export function createSqliteStorage(options: SqliteStorageOptions): SqliteStorage {
  const now = options.now ?? Date.now;
  const owned = options.database === undefined;
  const database = options.database ?? openDatabase(options.filename);
  try {
    configureDatabase(database, { busyTimeoutMs: options.busyTimeoutMs ?? 5_000 });
    migrate(database);
    return buildStorage(database, now, owned);
  } catch (error) {
    if (owned) database.close();
    throw toStorageError(`opening ${database.name}`, error);
  }
}

function buildStorage(database: BetterSqlite3.Database, now: () => number, owned: boolean): SqliteStorage {
  const {
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
  } = prepareStatements(database);
  const isoNow = () => new Date(now()).toISOString();

  /** Applies a patch to the task `fence` holds (inside a transaction that already checked the fence). */
  const patchHeldTask = (fence: LeaseFence, patch: PatchParameters) => {
    if (patch.columns.length === 0) return;
    const statement = prepare(`UPDATE tasks SET ${patchAssignments(patch.columns)} WHERE ${held}`);
    statement.run({ ...fenceParameters(fence), ...patch.values });
  };

  const itemParameters = (fence: LeaseFence, item: { roadmapId: string; conceptId: string; kind: ContentKind }) => ({
    ...fenceParameters(fence),
    roadmapId: item.roadmapId,
    conceptId: item.conceptId,
    kind: item.kind,
    updatedAt: isoNow(),
  });

  /** Writes the item with its fence check in one statement, then the task patch, in one transaction. */
  const writeItem = database.transaction(
    (statement: Statement, parameters: Record<string, unknown>, fence: LeaseFence, patch: PatchParameters) => {
      if (statement.run(parameters).changes === 0) return false;
      patchHeldTask(fence, patch);
      return true;
    },
  );

  const saveRoadmapTransaction = database.transaction((fence: LeaseFence, roadmap: Roadmap) => {
    const saved = upsertRoadmap.run({
      ...fenceParameters(fence),
      roadmapId: roadmap.roadmap_id,
      userId: roadmap.user_id,
      createdAt: roadmap.created_at,
      body: JSON.stringify(roadmap),
    });
    if (saved.changes === 0) return false;
    let ordinal = nextOrdinal.get(roadmap.roadmap_id) as number;
    const updatedAt = isoNow();
    for (const stage of roadmap.stages) {
      for (const module of stage.modules) {
        for (const concept of module.concepts) {
          for (const kind of contentKinds) {
            const planned = planItem.run(roadmap.roadmap_id, concept.concept_id, kind, ordinal, updatedAt);
            ordinal += planned.changes;
          }
        }
      }
    }
    return true;
  });

  /** The stored roadmap body with each concept's `*_status` read from its items. */
  const withStatuses = (body: string, items: readonly { concept_id: string; kind: string; status: string }[]) => {
    const statuses = new Map(items.map((entry) => [`${entry.concept_id}\u0000${entry.kind}`, entry.status]));
    const roadmap = JSON.parse(body) as Roadmap;
    for (const stage of roadmap.stages) {
      for (const module of stage.modules) {
        for (const concept of module.concepts) {
          for (const kind of contentKinds) {
            concept[`${kind}_status`] = (statuses.get(`${concept.concept_id}\u0000${kind}`) ?? 'pending') as ItemStatus;
          }
        }
      }
    }
    return roadmap;
  };

  const readRoadmap = database.transaction((roadmapId: string) => {
    const body = selectRoadmap.get(roadmapId) as string | undefined;
    if (body === undefined) return null;
    return withStatuses(body, selectItemStatuses.all(roadmapId) as ItemRow[]);
  });

  const readUserRoadmaps = database.transaction((userId: string) => {
    const rows = selectUserRoadmaps.all(userId) as { roadmap_id: string; body: string }[];
    const items = selectUserItemStatuses.all(userId) as (ItemRow & { roadmap_id: string })[];
    const byRoadmap = new Map<string, ItemRow[]>();
    for (const entry of items) {
      const list = byRoadmap.get(entry.roadmap_id);
      if (list) list.push(entry);
      else byRoadmap.set(entry.roadmap_id, [entry]);
    }
    return rows.map((row) => withStatuses(row.body, byRoadmap.get(row.roadmap_id) ?? []));
  });

  const readTaskList = database.transaction((query: TaskListQuery): TaskListResult => {
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
    const counts = Object.fromEntries(taskStatuses.map((status) => [status, 0])) as Record<TaskStatus, number>;
    const countRows = prepare(`SELECT status, count(*) AS count FROM tasks ${where(scope)} GROUP BY status`).all(
      parameters,
    ) as { status: TaskStatus; count: number }[];
    for (const row of countRows) counts[row.status] = row.count;

    const conditions = [...scope];
    let total = Object.values(counts).reduce((sum, count) => sum + count, 0);
    if (query.statuses) {
      conditions.push('status IN (SELECT value FROM json_each(@statuses))');
      parameters.statuses = JSON.stringify(query.statuses);
      total = [...new Set(query.statuses)].reduce((sum, status) => sum + (counts[status] ?? 0), 0);
    }
    const rows = prepare(
      `SELECT * FROM tasks ${where(conditions)} ORDER BY created_at DESC, task_id DESC LIMIT @limit OFFSET @offset`,
    ).all(parameters) as TaskRow[];
    return { tasks: rows.map(taskFromRow), total, counts };
  });

  /** Runs `work`, turning SQLite errors into `storage_error`s. */
  const guard = <Result>(operation: string, work: () => Result): Result => {
    try {
      return work();
    } catch (error) {
      throw toStorageError(operation, error);
    }
  };

  return {
    specificationVersion: 'v1',
    database,

    close() {
      if (owned && database.open) database.close();
    },

    async createTask(record) {
      return guard('createTask', () => {
        const inserted = insertTask.get(taskToRow(record)) as TaskRow | undefined;
        if (inserted) return { task: taskFromRow(inserted), created: true };
        // Not inserted: the (user, idempotency key) exists — return that task — or the task id is taken.
        const existing = selectTaskByKey.get(record.user_id, record.idempotency_key) as TaskRow | undefined;
        if (!existing) throw new Error(`Task ${record.task_id} already exists.`);
        return { task: taskFromRow(existing), created: false };
      });
    },

    async getTask(taskId) {
      return guard('getTask', () => {
        const row = selectTask.get(taskId) as TaskRow | undefined;
        return row ? taskFromRow(row) : null;
      });
    },

    async listTasks(query) {
      return guard('listTasks', () => readTaskList(query));
    },

    async transitionTask(taskId, change: StatusChange) {
      return guard('transitionTask', () => {
        const { columns, values } = patchParameters(change.patch);
        const fenced = change.leaseToken !== undefined;
        const statement = prepare(
          `UPDATE tasks SET status = @to${columns.length === 0 ? '' : `, ${patchAssignments(columns)}`}
           WHERE task_id = @taskId AND status IN (SELECT value FROM json_each(@from))
           ${fenced ? 'AND lease_token = @leaseToken' : ''} RETURNING *`,
        );
        const row = statement.get({
          ...values,
          taskId,
          to: change.to,
          from: JSON.stringify(change.from),
          ...(fenced ? { leaseToken: change.leaseToken } : {}),
        }) as TaskRow | undefined;
        return row ? taskFromRow(row) : null;
      });
    },

    async updateTask(fence, patch) {
      return guard('updateTask', () => {
        const { columns, values } = patchParameters(patch);
        const statement =
          columns.length === 0
            ? selectHeldTask
            : prepare(`UPDATE tasks SET ${patchAssignments(columns)} WHERE ${held} RETURNING *`);
        const row = statement.get({ ...fenceParameters(fence), ...values }) as TaskRow | undefined;
        return row ? taskFromRow(row) : null;
      });
    },

    async acquireLease(taskId, lease): Promise<AcquireLeaseResult | null> {
      return guard('acquireLease', () => {
        const row = acquire.get({ taskId, ...lease }) as (TaskRow & { lease_taken_from: TaskStatus }) | undefined;
        if (!row) return null;
        const previousStatus = row.lease_taken_from;
        return { task: taskFromRow(row), previousStatus, recovered: previousStatus === 'processing' };
      });
    },

    async renewLease(fence, expiresAt) {
      return guard('renewLease', () => renew.run({ ...fenceParameters(fence), expiresAt }).changes > 0);
    },

    async releaseLease(fence) {
      return guard('releaseLease', () => release.run(fenceParameters(fence)).changes > 0);
    },

    async listOrphanedTasks(at) {
      return guard('listOrphanedTasks', () => (selectOrphans.all(at) as TaskRow[]).map(taskFromRow));
    },

    async saveCheckpoint(fence, key, value) {
      return guard('saveCheckpoint', () => {
        const parameters = { ...fenceParameters(fence), key, value: checkpointToColumn(value) };
        return upsertCheckpoint.run(parameters).changes > 0;
      });
    },

    async getCheckpoints(taskId) {
      return guard('getCheckpoints', () => {
        const rows = selectCheckpoints.all(taskId) as { key: string; value: string | null }[];
        return Object.fromEntries(rows.map((row) => [row.key, checkpointFromColumn(row.value)]));
      });
    },

    async saveRoadmap(fence, roadmap) {
      return guard('saveRoadmap', () => saveRoadmapTransaction.immediate(fence, roadmap));
    },

    async getRoadmap(roadmapId) {
      return guard('getRoadmap', () => readRoadmap(roadmapId));
    },

    async listRoadmaps(userId) {
      return guard('listRoadmaps', () => readUserRoadmaps(userId));
    },

    async setItemStatus(fence, item, status, error, taskPatch) {
      return guard('setItemStatus', () => {
        const parameters = {
          ...itemParameters(fence, item),
          status,
          error: status === 'failed' ? (error ?? 'failed') : null,
        };
        const patch = patchParameters(taskPatch);
        if (patch.columns.length === 0) return updateItemStatus.run(parameters).changes > 0;
        return writeItem.immediate(updateItemStatus, parameters, fence, patch);
      });
    },

    async saveItem(
      fence,
      item: { roadmapId: string; conceptId: string; kind: ContentKind; content: ContentValue },
      taskPatch?: TaskPatch,
    ) {
      return guard('saveItem', () => {
        const parameters = { ...itemParameters(fence, item), content: JSON.stringify(item.content) };
        const patch = patchParameters(taskPatch);
        if (patch.columns.length === 0) return completeItem.run(parameters).changes > 0;
        return writeItem.immediate(completeItem, parameters, fence, patch);
      });
    },

    async resetItems(roadmapId, filter) {
      return guard('resetItems', () => {
        const parameters = {
          roadmapId,
          statuses: JSON.stringify(filter.statuses),
          conceptId: filter.conceptId ?? null,
          kind: filter.kind ?? null,
          updatedAt: isoNow(),
        };
        return resetMatchingItems.run(parameters).changes;
      });
    },

    async listItems(roadmapId, conceptId) {
      return guard('listItems', () => {
        const rows = (
          conceptId === undefined ? selectItems.all(roadmapId) : selectConceptItems.all(roadmapId, conceptId)
        ) as ItemRow[];
        return rows.map(itemFromRow);
      });
    },

    async appendEvent(event: NewRoadmapEvent, fence?: LeaseFence): Promise<RoadmapEvent | null> {
      return guard('appendEvent', () => {
        const row = eventToRow(event);
        const seq = (fence ? insertFencedEvent.get({ ...row, ...fenceParameters(fence) }) : insertEvent.get(row)) as
          | number
          | undefined;
        return seq === undefined ? null : eventFromRow({ ...row, seq });
      });
    },

    async listEvents(query: EventQuery) {
      return guard('listEvents', () => {
        const conditions = ['seq > @after'];
        const parameters: Record<string, unknown> = { after: query.after ?? 0, limit: query.limit ?? 1000 };
        if (query.taskId !== undefined) {
          conditions.push('task_id = @taskId');
          parameters.taskId = query.taskId;
        }
        if (query.userId !== undefined) {
          conditions.push('user_id = @userId');
          parameters.userId = query.userId;
        }
        const statement = prepare(
          `SELECT seq, ${eventColumns} FROM events WHERE ${conditions.join(' AND ')} ORDER BY seq LIMIT @limit`,
        );
        return (statement.all(parameters) as EventRow[]).map(eventFromRow);
      });
    },

    ...createCoverMethods(database),
  };
}
