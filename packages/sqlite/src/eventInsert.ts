import type { NewRoadmapEvent, RoadmapEvent } from '@roadmap/core';
import type { Statement } from './connection.js';
import { eventFromRow, eventToRow } from './rows.js';

/** Columns of `events` as the adapter writes them (`seq` is assigned by SQLite). */
export const eventColumns = 'task_id, user_id, type, timestamp, payload';

/**
 * Appends one event without a fence, on the caller's connection: inside a transaction it commits with whatever
 * else that transaction wrote (a status change and its event are stored together).
 */
export function createEventInsert(prepare: (sql: string) => Statement) {
  const insert = prepare(
    `INSERT INTO events (${eventColumns}) VALUES (@task_id, @user_id, @type, @timestamp, @payload) RETURNING seq`,
  ).pluck();
  return (event: NewRoadmapEvent): RoadmapEvent => {
    const row = eventToRow(event);
    return eventFromRow({ ...row, seq: insert.get(row) as number });
  };
}
