import type { EventQuery, EventStore, LeaseFence, NewRoadmapEvent, RoadmapEvent } from '@roadmap/core';
import type pg from 'pg';
import { queryOn } from './database.js';

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

  return {
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
  };
}
