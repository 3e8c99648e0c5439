import type { LeaseFence, NewRoadmapEvent, RoadmapEvent } from '@roadmap/core';
import { type Queryable, runQuery } from './database.js';
import { eventLockKey } from './migrations.js';

/**
 * Appends `event` through the schema's `append_event` function on `database` (the pool, or the client of an open
 * transaction, so the event commits with whatever else that transaction wrote). `schema` is quoted. Returns the
 * stored event with its `seq`; `null` when the fence failed.
 */
export async function appendEventOn(
  database: Queryable,
  schema: string,
  event: NewRoadmapEvent,
  fence?: LeaseFence,
): Promise<RoadmapEvent | null> {
  const result = await runQuery<{ seq: string | null }>(
    database,
    'append an event',
    `SELECT ${schema}.append_event($1, $2, $3::jsonb, $4, $5) AS seq`,
    [event.task_id, event.user_id, JSON.stringify(event), fence?.taskId ?? null, fence?.leaseToken ?? null],
  );
  const seq = result.rows[0]?.seq;
  if (seq === null || seq === undefined) return null;
  return { ...(JSON.parse(JSON.stringify(event)) as NewRoadmapEvent), seq: Number(seq) } as RoadmapEvent;
}

/**
 * Takes the event log's advisory lock in the open transaction on `client`. A transaction that changes a task row
 * and then appends an event takes it first, before the row lock: `append_event` with a fence takes the advisory
 * lock and then the row, so both orders agree and never deadlock.
 */
export async function lockEventLog(client: Queryable, schema: string): Promise<void> {
  await runQuery(client, 'lock the event log', `SELECT pg_advisory_xact_lock(${eventLockKey(schema.slice(1, -1))})`);
}
