import type {
  CheckpointStore,
  ContentKind,
  ItemVersion,
  LeaseFence,
  NewRoadmapEvent,
  Roadmap,
  RoadmapSummary,
  TaskPatch,
} from '@roadmap/core';
import type { ItemRow, ItemStatusEntry } from '@roadmap/core/internal';
import {
  itemErrorFor,
  itemFromRow,
  planItems,
  roadmapIdTaken,
  taskPatchColumns,
  withConceptStatuses,
} from '@roadmap/core/internal';
import type BetterSqlite3 from 'better-sqlite3';
import { createStatementCache, type Statement } from './connection.js';
import { createEventInsert } from './eventInsert.js';
import type { GroupCommit } from './groupCommit.js';
import { roadmapSummariesSql } from './roadmapSummaryQuery.js';
import { bindPatch, checkpointFromColumn, checkpointToColumn } from './rows.js';
import { fenceParameters, held, holderExists } from './statements.js';
import { guard } from './storageError.js';

/** Columns of `content_items` as the adapter reads them. */
const itemColumns = 'roadmap_id, concept_id, kind, status, content, error, updated_at';

/** A row of `content_item_versions`. */
interface VersionRow {
  roadmap_id: string;
  concept_id: string;
  kind: string;
  version: number;
  created_at: string;
  feedback: string | null;
  content: string | null;
}

function versionFromRow(row: VersionRow): ItemVersion {
  return {
    roadmap_id: row.roadmap_id,
    concept_id: row.concept_id,
    kind: row.kind as ContentKind,
    version: Number(row.version),
    created_at: row.created_at,
    feedback: row.feedback,
    content: row.content === null ? null : (JSON.parse(row.content) as ItemVersion['content']),
  };
}

/** A task patch's `SET` assignments and bound values. */
type BoundPatch = ReturnType<typeof bindPatch>;

/**
 * The checkpoint part of the storage ({@link CheckpointStore}: checkpoints, roadmaps, content items) on SQLite.
 * Every write checks the lease in the same statement (`… WHERE EXISTS (held task)`); a write that also patches the
 * task, and `saveRoadmap` with its item planning, run in one `BEGIN IMMEDIATE` transaction; reads of a roadmap and
 * its items share one transaction.
 */
export function createCheckpointStore(
  database: BetterSqlite3.Database,
  now: () => number,
  itemWrites: GroupCommit,
): CheckpointStore {
  const prepare = createStatementCache(database);
  const isoNow = () => new Date(now()).toISOString();
  const upsertCheckpoint = prepare(
    `INSERT INTO checkpoints (task_id, key, value) SELECT @taskId, @key, @value WHERE ${holderExists}
     ON CONFLICT (task_id, key) DO UPDATE SET value = excluded.value`,
  );
  const selectCheckpoints = prepare('SELECT key, value FROM checkpoints WHERE task_id = ? ORDER BY rowid');
  // Only the task that holds the roadmap id, for its own user, writes it; an existing row is never re-owned.
  const upsertRoadmap = prepare(
    `INSERT INTO roadmaps (roadmap_id, user_id, created_at, body)
     SELECT @roadmapId, @userId, @createdAt, @body WHERE EXISTS (
       SELECT 1 FROM tasks WHERE ${held} AND tasks.roadmap_id = @roadmapId AND tasks.user_id = @userId)
     ON CONFLICT (roadmap_id) DO UPDATE SET created_at = excluded.created_at, body = excluded.body
       WHERE roadmaps.user_id = excluded.user_id`,
  );
  const selectHeld = prepare(`SELECT 1 FROM tasks WHERE ${held}`).pluck();
  const upsertVersion = prepare(
    `INSERT INTO content_item_versions (roadmap_id, concept_id, kind, version, created_at, feedback, content)
     VALUES (@roadmap_id, @concept_id, @kind, @version, @created_at, @feedback, @content)
     ON CONFLICT (roadmap_id, concept_id, kind, version) DO UPDATE SET
       created_at = excluded.created_at, feedback = excluded.feedback, content = excluded.content`,
  );
  const selectVersions = prepare(
    `SELECT roadmap_id, concept_id, kind, version, created_at, feedback, content FROM content_item_versions
     WHERE roadmap_id = ? AND concept_id = ? AND kind = ? ORDER BY version`,
  );
  const restoreContent = prepare(
    `UPDATE content_items SET content = @content, updated_at = @updatedAt
     WHERE roadmap_id = @roadmapId AND concept_id = @conceptId AND kind = @kind AND status = 'completed'`,
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
  const selectFirstRoadmapSummaries = prepare(roadmapSummariesSql(false));
  const selectLaterRoadmapSummaries = prepare(roadmapSummariesSql(true));
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
    `UPDATE content_items SET status = @to, error = @error, updated_at = @updatedAt
     WHERE roadmap_id = @roadmapId AND status IN (SELECT value FROM json_each(@statuses))
       AND (@conceptId IS NULL OR concept_id = @conceptId) AND (@kind IS NULL OR kind = @kind)`,
  );
  const selectItems = prepare(`SELECT ${itemColumns} FROM content_items WHERE roadmap_id = ? ORDER BY ordinal`);
  const selectConceptItems = prepare(
    `SELECT ${itemColumns} FROM content_items WHERE roadmap_id = ? AND concept_id = ? ORDER BY ordinal`,
  );

  /** Applies a patch to the task `fence` holds (inside a transaction that already checked the fence). */
  const patchHeldTask = (fence: LeaseFence, patch: BoundPatch) => {
    if (patch.assignments.length === 0) return;
    const statement = prepare(`UPDATE tasks SET ${patch.assignments.join(', ')} WHERE ${held}`);
    statement.run({ ...fenceParameters(fence), ...patch.values });
  };

  const itemParameters = (fence: LeaseFence, item: { roadmapId: string; conceptId: string; kind: ContentKind }) => ({
    ...fenceParameters(fence),
    roadmapId: item.roadmapId,
    conceptId: item.conceptId,
    kind: item.kind,
    updatedAt: isoNow(),
  });

  const insertEvent = createEventInsert(prepare);

  /**
   * Writes the item with its fence check in one statement, then the task patch and the event — inside the group
   * commit's transaction (each write in its own savepoint).
   * Resolves like `CheckpointStore.saveItem`: `false`, the stored event, or `true`.
   */
  const writeItem = (
    statement: Statement,
    parameters: Record<string, unknown>,
    fence: LeaseFence,
    taskPatch: TaskPatch | undefined,
    event: NewRoadmapEvent | undefined,
  ) => {
    if (statement.run(parameters).changes === 0) return false;
    patchHeldTask(fence, bindPatch(taskPatchColumns(taskPatch)));
    return event ? insertEvent(event) : true;
  };

  const saveRoadmapTransaction = database.transaction((fence: LeaseFence, roadmap: Roadmap) => {
    const saved = upsertRoadmap.run({
      ...fenceParameters(fence),
      roadmapId: roadmap.roadmap_id,
      userId: roadmap.user_id,
      createdAt: roadmap.created_at,
      body: JSON.stringify(roadmap),
    });
    if (saved.changes === 0) {
      if (selectHeld.get(fenceParameters(fence)) === undefined) return false;
      throw roadmapIdTaken(roadmap.roadmap_id);
    }
    let ordinal = nextOrdinal.get(roadmap.roadmap_id) as number;
    const updatedAt = isoNow();
    for (const { conceptId, kind } of planItems(roadmap)) {
      ordinal += planItem.run(roadmap.roadmap_id, conceptId, kind, ordinal, updatedAt).changes;
    }
    return true;
  });

  /** The stored roadmap body with each concept's `*_status` derived from its items. */
  const withStatuses = (body: string, items: readonly ItemStatusEntry[]) =>
    withConceptStatuses(JSON.parse(body) as Roadmap, items);

  const readRoadmap = database.transaction((roadmapId: string) => {
    const body = selectRoadmap.get(roadmapId) as string | undefined;
    if (body === undefined) return null;
    return withStatuses(body, selectItemStatuses.all(roadmapId) as ItemStatusEntry[]);
  });

  const readUserRoadmaps = database.transaction((userId: string) => {
    const rows = selectUserRoadmaps.all(userId) as { roadmap_id: string; body: string }[];
    const items = selectUserItemStatuses.all(userId) as (ItemStatusEntry & { roadmap_id: string })[];
    const byRoadmap = new Map<string, ItemStatusEntry[]>();
    for (const entry of items) {
      const list = byRoadmap.get(entry.roadmap_id);
      if (list) list.push(entry);
      else byRoadmap.set(entry.roadmap_id, [entry]);
    }
    return rows.map((row) => withStatuses(row.body, byRoadmap.get(row.roadmap_id) ?? []));
  });

  return {
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

    async listRoadmapSummaries({ userId, limit, after }) {
      return guard(
        'listRoadmapSummaries',
        () =>
          (after === undefined
            ? selectFirstRoadmapSummaries.all({ userId, limit })
            : selectLaterRoadmapSummaries.all({
                userId,
                limit,
                afterCreatedAt: after.created_at,
                afterRoadmapId: after.roadmap_id,
              })) as RoadmapSummary[],
      );
    },

    setItemStatus(fence, item, status, error, taskPatch, event) {
      const parameters = { ...itemParameters(fence, item), status, error: itemErrorFor(status, error) };
      return itemWrites.write('setItemStatus', () => writeItem(updateItemStatus, parameters, fence, taskPatch, event));
    },

    saveItem(fence, item, taskPatch, event) {
      const parameters = { ...itemParameters(fence, item), content: JSON.stringify(item.content) };
      return itemWrites.write('saveItem', () => writeItem(completeItem, parameters, fence, taskPatch, event));
    },

    async resetItems(roadmapId, filter, outcome) {
      return guard('resetItems', () => {
        const parameters = {
          to: outcome?.status ?? 'pending',
          error: outcome?.error ?? null,
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

    async saveItemVersion(version) {
      guard('saveItemVersion', () =>
        upsertVersion.run({
          ...version,
          content: version.content === null ? null : JSON.stringify(version.content),
        }),
      );
    },

    async listItemVersions(item) {
      return guard('listItemVersions', () =>
        (selectVersions.all(item.roadmapId, item.conceptId, item.kind) as VersionRow[]).map(versionFromRow),
      );
    },

    async restoreItemContent(item, content) {
      return guard(
        'restoreItemContent',
        () => restoreContent.run({ ...item, content: JSON.stringify(content), updatedAt: isoNow() }).changes === 1,
      );
    },
  };
}
