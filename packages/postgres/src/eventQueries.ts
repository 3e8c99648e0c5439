import type {
  EventPruneOptions,
  EventQuery,
  EventStore,
  LeaseFence,
  NewRoadmapEvent,
  RoadmapEvent,
} from '@roadmap/core';
import type pg from 'pg';
import { queryOn } from './database.js';
import { appendEventOn } from './eventAppend.js';

interface EventRow {
  seq: string;
  event: Omit<RoadmapEvent, 'seq'>;
}

/**
 * The event part of the storage ({@link EventStore}) on PostgreSQL, for the `events` table of `schema` (already
 * quoted). Appends go through the schema's `append_event` function, which takes a transaction-level advisory lock
 * before it draws the `seq` (and checks the fence after it): appends are serialised per schema, so seqs become
 * visible in increasing order and replaying "every event after `seq`" never skips one.
 */
export function createEventStore(pool: pg.Pool, schema: string): EventStore {
  const events = `${schema}.events`;
  const query = queryOn(pool);
  // Retention (see EventStore): the bound is the first event stamped at or after `before` ($1). There is no index
  // on the timestamp: the scan walks the primary key from the oldest event kept, which pruning keeps short. ISO
  // times compare as plain bytes ("C"), whatever the database's collation.
  const firstStampedFrom = `SELECT seq FROM ${events} WHERE (event->>'timestamp') COLLATE "C" >= $1 ORDER BY seq LIMIT 1`;

  return {
    async appendEvent(event: NewRoadmapEvent, fence?: LeaseFence) {
      return appendEventOn(pool, schema, event, fence);
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

    async pruneEvents({ before, limit = 1000, belowSeq }: EventPruneOptions) {
      // With `belowSeq` the bound was read once for the sweep: no look for it on every batch.
      const bound = belowSeq === undefined ? `COALESCE((${firstStampedFrom}), 9223372036854775807)` : '$1::bigint';
      const result = await query(
        'prune events',
        `DELETE FROM ${events} WHERE seq IN (
           SELECT seq FROM ${events} AS event
           WHERE seq < ${bound}
             AND NOT EXISTS (
               SELECT 1 FROM ${schema}.tasks AS task WHERE task.task_id = event.task_id
                 AND task.status NOT IN ('completed', 'failed', 'partial_failure', 'cancelled')
             )
           ORDER BY seq LIMIT $2
         )`,
        [belowSeq ?? before, limit],
      );
      return result.rowCount ?? 0;
    },

    async eventLogStart({ before }: { before: string }) {
      // Without such an event: the sequence's next value (it never goes back).
      const result = await query<{ seq: string }>(
        'read where the event log starts',
        `SELECT COALESCE(
           (${firstStampedFrom}),
           (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM ${schema}.event_seq)
         ) AS seq`,
        [before],
      );
      return Number(result.rows[0]?.seq ?? 1);
    },
  };
}
