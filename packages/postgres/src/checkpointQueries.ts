import { createHash } from 'node:crypto';
import type {
  CheckpointStore,
  ContentItem,
  ItemVersion,
  LeaseFence,
  NewRoadmapEvent,
  Roadmap,
  RoadmapEvent,
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
import type pg from 'pg';
import { queryOn } from './database.js';
import { createItemWriteBatch, type ItemWriteEntry } from './itemWriteBatch.js';
import { fenced } from './parameters.js';

interface RoadmapRow {
  framework: Roadmap;
  statuses: ItemStatusEntry[];
}

/**
 * The checkpoint part of the storage ({@link CheckpointStore}: checkpoints, roadmaps, content items) on
 * PostgreSQL, for the tables of `schema` (already quoted). Every write is one statement whose CTE checks the lease
 * and locks the task row (`FOR SHARE`, or the task `UPDATE` that applies a patch), so a cancel waits for it;
 * `saveRoadmap` stores the framework and plans the missing items in that one statement too.
 */
export function createCheckpointStore(pool: pg.Pool, schema: string, now: () => number): CheckpointStore {
  const tasks = `${schema}.tasks`;
  const checkpoints = `${schema}.checkpoints`;
  const roadmaps = `${schema}.roadmaps`;
  const items = `${schema}.content_items`;
  const versions = `${schema}.content_item_versions`;
  const query = queryOn(pool);
  const isoNow = () => new Date(now()).toISOString();

  // Item writes are the hot path (two per item): they go through the schema's `write_items` function with group
  // commit (itemWriteBatch.ts), one prepared statement per batch. Its name is derived from the schema (pools may be
  // shared across schemas, and prepared statements belong to a connection).
  const itemWrites = createItemWriteBatch(pool, {
    name: `roadmap_write_items_${createHash('sha1').update(schema).digest('hex').slice(0, 24)}`,
    text: `SELECT ${schema}.write_items($1::jsonb) AS results`,
  });

  /**
   * Fenced write of one content item, with `taskPatch` applied to the task and `event` appended to the event log in
   * the same transaction (see `write_items`). Resolves `false` (the fence failed), the stored event, or `true`.
   */
  const writeItem = (
    operation: string,
    fence: LeaseFence,
    item: { roadmapId: string; conceptId: string; kind: string },
    values: { status: string; error: string | null; content?: unknown },
    taskPatch: TaskPatch | undefined,
    event: NewRoadmapEvent | undefined,
  ): Promise<boolean | RoadmapEvent> => {
    const entry: ItemWriteEntry = {
      task_id: fence.taskId,
      lease_token: fence.leaseToken,
      roadmap_id: item.roadmapId,
      concept_id: item.conceptId,
      kind: item.kind,
      updated_at: isoNow(),
      ...values,
    };
    const columns = taskPatchColumns(taskPatch);
    if (taskPatch && columns.length > 0) {
      entry.patch = Object.fromEntries(
        columns.map(({ column }) => [column, (taskPatch as Record<string, unknown>)[column]]),
      );
    }
    if (event) entry.event = event;
    return itemWrites.run({
      operation,
      entry,
      read: (outcome): boolean | RoadmapEvent => {
        if (outcome === null) return false;
        if (!event) return true;
        return { ...(JSON.parse(JSON.stringify(event)) as NewRoadmapEvent), seq: outcome } as RoadmapEvent;
      },
    });
  };

  const readRoadmap = (row: RoadmapRow): Roadmap => withConceptStatuses(row.framework, row.statuses);
  const roadmapSelect = `SELECT r.framework,
      coalesce((SELECT jsonb_agg(jsonb_build_object('concept_id', i.concept_id, 'kind', i.kind, 'status', i.status))
                FROM ${items} i WHERE i.roadmap_id = r.roadmap_id), '[]'::jsonb) AS statuses
    FROM ${roadmaps} r`;

  return {
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
      const planned = planItems(roadmap);
      // New items go after every existing one (planned order); items already planned are kept as they are.
      const result = await query<{ saved: number; held: number }>(
        'save a roadmap',
        // Only the task holding the roadmap id, for its own user, writes it; an existing row is never re-owned.
        `WITH holder AS (SELECT task_id, roadmap_id, user_id FROM ${tasks} WHERE task_id = $1 AND ${fenced} FOR SHARE),
         saved AS (
           INSERT INTO ${roadmaps} (roadmap_id, user_id, created_at, framework)
           SELECT $3, $4, $5, $6::jsonb FROM holder WHERE holder.roadmap_id = $3 AND holder.user_id = $4
           ON CONFLICT (roadmap_id) DO UPDATE SET created_at = excluded.created_at, framework = excluded.framework
             WHERE ${roadmaps}.user_id = excluded.user_id
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
         SELECT (SELECT count(*)::int FROM saved) AS saved, (SELECT count(*)::int FROM holder) AS held`,
        [
          fence.taskId,
          fence.leaseToken,
          roadmap.roadmap_id,
          roadmap.user_id,
          roadmap.created_at,
          JSON.stringify(roadmap),
          planned.map((item) => item.conceptId),
          planned.map((item) => item.kind),
          isoNow(),
        ],
      );
      const row = result.rows[0];
      if ((row?.saved ?? 0) === 1) return true;
      if ((row?.held ?? 0) === 0) return false;
      throw roadmapIdTaken(roadmap.roadmap_id);
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

    async listRoadmapSummaries({ userId, limit, after }) {
      // One statement per page: the keyset walks roadmaps_user_newest; counts come from the page's items only
      // (content_items by primary key) and the task by tasks_roadmap_unique.
      const keyset = after === undefined ? '' : ' AND (r.created_at, r.roadmap_id) < ($3, $4)';
      const result = await query<RoadmapSummary>(
        'list roadmap summaries',
        `SELECT page.roadmap_id, page.framework->>'title' AS title, page.created_at,
           counts.total AS total_concepts, counts.completed AS completed_concepts,
           task.task_id, task.status AS task_status
         FROM (
           SELECT r.roadmap_id, r.created_at, r.framework FROM ${roadmaps} AS r
           WHERE r.user_id = $1${keyset}
           ORDER BY r.created_at DESC, r.roadmap_id DESC LIMIT $2
         ) AS page
         CROSS JOIN LATERAL (
           SELECT COUNT(*)::int AS total, (COUNT(*) FILTER (WHERE concept.done))::int AS completed
           FROM (
             SELECT bool_and(item.status = 'completed') AS done FROM ${items} AS item
             WHERE item.roadmap_id = page.roadmap_id GROUP BY item.concept_id
           ) AS concept
         ) AS counts
         LEFT JOIN ${tasks} AS task ON task.roadmap_id = page.roadmap_id
         ORDER BY page.created_at DESC, page.roadmap_id DESC`,
        after === undefined ? [userId, limit] : [userId, limit, after.created_at, after.roadmap_id],
      );
      return result.rows;
    },

    async setItemStatus(fence, item, status, error, taskPatch, event) {
      return writeItem(
        'set an item status',
        fence,
        item,
        { status, error: itemErrorFor(status, error) },
        taskPatch,
        event,
      );
    },

    async saveItem(fence, item, taskPatch, event) {
      return writeItem(
        'save an item',
        fence,
        item,
        { status: 'completed', error: null, content: item.content },
        taskPatch,
        event,
      );
    },

    async resetItems(roadmapId, filter, outcome) {
      const values: unknown[] = [roadmapId, [...filter.statuses], isoNow(), outcome?.status ?? 'pending'];
      values.push(outcome?.error ?? null);
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
        `UPDATE ${items} SET status = $4, error = $5, updated_at = $3 WHERE ${condition}`,
        values,
      );
      return result.rowCount ?? 0;
    },

    async saveItemVersion(version) {
      await query(
        'save an item version',
        `INSERT INTO ${versions} (roadmap_id, concept_id, kind, version, created_at, feedback, content)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
         ON CONFLICT (roadmap_id, concept_id, kind, version) DO UPDATE SET
           created_at = excluded.created_at, feedback = excluded.feedback, content = excluded.content`,
        [
          version.roadmap_id,
          version.concept_id,
          version.kind,
          version.version,
          version.created_at,
          version.feedback,
          version.content === null ? null : JSON.stringify(version.content),
        ],
      );
    },

    async listItemVersions(item) {
      const result = await query<ItemVersion>(
        'list item versions',
        `SELECT roadmap_id, concept_id, kind, version, created_at, feedback, content FROM ${versions}
         WHERE roadmap_id = $1 AND concept_id = $2 AND kind = $3 ORDER BY version`,
        [item.roadmapId, item.conceptId, item.kind],
      );
      return result.rows.map((row) => ({ ...row, version: Number(row.version) }));
    },

    async restoreItemContent(item, content) {
      const result = await query(
        'restore an item',
        `UPDATE ${items} SET content = $4::jsonb, updated_at = $5
         WHERE roadmap_id = $1 AND concept_id = $2 AND kind = $3 AND status = 'completed'`,
        [item.roadmapId, item.conceptId, item.kind, JSON.stringify(content), isoNow()],
      );
      return result.rowCount === 1;
    },

    async listItems(roadmapId, conceptId): Promise<ContentItem[]> {
      const values: unknown[] = [roadmapId];
      let condition = 'roadmap_id = $1';
      if (conceptId !== undefined) {
        values.push(conceptId);
        condition += ' AND concept_id = $2';
      }
      const result = await query<ItemRow>(
        'list items',
        `SELECT roadmap_id, concept_id, kind, status, content, error, updated_at FROM ${items}
         WHERE ${condition} ORDER BY ordinal`,
        values,
      );
      return result.rows.map(itemFromRow);
    },
  };
}
