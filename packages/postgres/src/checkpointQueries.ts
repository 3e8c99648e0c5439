import { createHash } from 'node:crypto';
import type {
  CheckpointStore,
  ContentItem,
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
import { queryOn, quoteLiteral } from './database.js';
import { createItemWriteBatch } from './itemWriteBatch.js';
import { eventLockKey } from './migrations.js';
import { bindPatch, fenced } from './parameters.js';

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
  const query = queryOn(pool);
  const isoNow = () => new Date(now()).toISOString();

  // Item writes are the hot path (two per item): they run as named prepared statements, so PostgreSQL parses and
  // plans each text once per connection (the name is derived from the text: pools may be shared across schemas),
  // and with group commit (itemWriteBatch.ts): the writes of one moment share one transaction.
  const statementNames = new Map<string, string>();
  const statementName = (text: string) => {
    let name = statementNames.get(text);
    if (name === undefined) {
      name = `roadmap_item_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      statementNames.set(text, name);
    }
    return name;
  };

  const eventLock = `SELECT pg_advisory_xact_lock(${eventLockKey(schema.slice(1, -1))})`;
  const nextSeq = `nextval(${quoteLiteral(`${schema}.event_seq`)})`;
  const itemWrites = createItemWriteBatch(pool, {
    eventLock,
    lockTask: `SELECT 1 FROM ${tasks} WHERE task_id = $1 FOR UPDATE`,
    patchTask: (fence, columns) => {
      const values: unknown[] = [fence.taskId, fence.leaseToken];
      const sets = bindPatch(columns, values);
      return { text: `UPDATE ${tasks} SET ${sets.join(', ')} WHERE task_id = $1 AND ${fenced}`, values };
    },
  });

  /**
   * Fenced write of one content item. Alone it is one statement: `taskPatch` is applied to the task and `event`
   * appended to the event log in it too; with an event, the holder CTE takes the event log's advisory lock in its
   * condition, so before it locks the task row (the order `append_event` and status changes use), and the event's
   * `seq` is drawn under that lock, after the item was written. In a group commit (itemWriteBatch.ts) the batch
   * locks the log and the task rows first, each write checks its fence and writes its item and event, and the task
   * patches of a batch are applied once at its end (later columns win), so a batch updates a task row once instead
   * of once per write. Resolves `false`, the stored event, or `true`.
   */
  const writeItem = async (
    operation: string,
    fence: LeaseFence,
    item: { roadmapId: string; conceptId: string; kind: string },
    assignments: (values: unknown[]) => string[],
    taskPatch: TaskPatch | undefined,
    event: NewRoadmapEvent | undefined,
  ): Promise<boolean | RoadmapEvent> => {
    const values: unknown[] = [fence.taskId, fence.leaseToken, item.roadmapId, item.conceptId, item.kind];
    const itemKey = 'roadmap_id = $3 AND concept_id = $4 AND kind = $5';
    const patchColumns = taskPatchColumns(taskPatch);
    const itemSets = assignments(values);
    const body = event ? JSON.stringify(event) : undefined;
    if (event) values.push(event.task_id, event.user_id, body);
    const at = values.length;
    const patch = bindPatch(patchColumns, values);
    const locked = event ? ' AND EXISTS (SELECT 1 FROM event_lock)' : '';
    // With a patch, the task UPDATE is the fence (it locks the row); without one, a FOR SHARE lock is.
    const holder =
      patch.length > 0
        ? `UPDATE ${tasks} SET ${patch.join(', ')} WHERE task_id = $1 AND ${fenced}${locked}
             AND EXISTS (SELECT 1 FROM ${items} WHERE ${itemKey}) RETURNING task_id`
        : `SELECT task_id FROM ${tasks} WHERE task_id = $1 AND ${fenced}${locked} FOR SHARE`;
    const itemUpdate = (condition: string) =>
      `UPDATE ${items} SET ${itemSets.join(', ')} WHERE ${itemKey} AND ${condition}`;
    const eventInsert = `INSERT INTO ${schema}.events (seq, task_id, user_id, event)
       SELECT ${nextSeq}, $${at - 2}, $${at - 1}, $${at}::jsonb FROM written RETURNING seq`;
    // In a batch the task row is already locked: the fence is a plain check of it.
    const heldNow = `EXISTS (SELECT 1 FROM ${tasks} WHERE task_id = $1 AND ${fenced})`;
    const alone = event
      ? `WITH event_lock AS (${eventLock}), holder AS (${holder}), written AS (${itemUpdate('EXISTS (SELECT 1 FROM holder)')} RETURNING 1) ${eventInsert}`
      : `WITH holder AS (${holder}) ${itemUpdate('EXISTS (SELECT 1 FROM holder)')}`;
    const batched = event ? `WITH written AS (${itemUpdate(heldNow)} RETURNING 1) ${eventInsert}` : itemUpdate(heldNow);
    return itemWrites.run({
      operation,
      statement: { name: statementName(alone), text: alone, values },
      batched: { text: batched, values, fence, patchColumns },
      read: (result): boolean | RoadmapEvent => {
        if (!event) return result.rowCount === 1;
        const seq = (result.rows[0] as { seq?: string } | undefined)?.seq;
        if (seq === undefined) return false;
        return { ...(JSON.parse(body as string) as NewRoadmapEvent), seq: Number(seq) } as RoadmapEvent;
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
        (values) => {
          values.push(status, itemErrorFor(status, error), isoNow());
          const at = values.length;
          return [`status = $${at - 2}`, `error = $${at - 1}`, `updated_at = $${at}`];
        },
        taskPatch,
        event,
      );
    },

    async saveItem(fence, item, taskPatch, event) {
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
        event,
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
