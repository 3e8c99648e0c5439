import type { EventStore } from '@roadmap/core';
import type BetterSqlite3 from 'better-sqlite3';
import { createStatementCache } from './connection.js';
import { type EventRow, eventFromRow, eventToRow } from './rows.js';
import { fenceParameters, holderExists } from './statements.js';
import { guard } from './storageError.js';

/** Columns of `events` as the adapter writes them (`seq` is assigned by SQLite). */
const eventColumns = 'task_id, user_id, type, timestamp, payload';

/**
 * The event part of the storage ({@link EventStore}) on SQLite. `seq` is the table's `INTEGER PRIMARY KEY`
 * (`AUTOINCREMENT`), assigned under the database's single write lock: appends from every connection and process
 * are serialised, so events become visible in `seq` order. A fenced append checks the lease in the same `INSERT`.
 */
export function createEventStore(database: BetterSqlite3.Database): EventStore {
  const prepare = createStatementCache(database);
  const insertEvent = prepare(
    `INSERT INTO events (${eventColumns}) VALUES (@task_id, @user_id, @type, @timestamp, @payload) RETURNING seq`,
  ).pluck();
  const insertFencedEvent = prepare(
    `INSERT INTO events (${eventColumns}) SELECT @task_id, @user_id, @type, @timestamp, @payload
     WHERE ${holderExists} RETURNING seq`,
  ).pluck();
  // Retention (see EventStore): the bound is the first event stamped at or after `before`. There is no index on
  // `timestamp`: the scan walks the primary key from the oldest event kept, which pruning keeps short.
  const firstStampedFrom = 'SELECT seq FROM events WHERE timestamp >= @before ORDER BY seq LIMIT 1';
  const pruneBelow = (bound: string) =>
    prepare(
      `DELETE FROM events WHERE seq IN (
         SELECT seq FROM events
         WHERE seq < ${bound}
           AND NOT EXISTS (
             SELECT 1 FROM tasks WHERE tasks.task_id = events.task_id
               AND tasks.status NOT IN ('completed', 'failed', 'partial_failure', 'cancelled')
           )
         ORDER BY seq LIMIT @limit
       )`,
    );
  const pruneOldEvents = pruneBelow(`COALESCE((${firstStampedFrom}), 9223372036854775807)`);
  const pruneEventsBelowSeq = pruneBelow('@belowSeq');
  // Without such an event: one past the largest seq ever assigned (AUTOINCREMENT never reuses one).
  const logStart = prepare(
    `SELECT COALESCE((${firstStampedFrom}), (SELECT seq FROM sqlite_sequence WHERE name = 'events') + 1, 1)`,
  ).pluck();

  return {
    async appendEvent(event, fence) {
      return guard('appendEvent', () => {
        const row = eventToRow(event);
        const seq = (fence ? insertFencedEvent.get({ ...row, ...fenceParameters(fence) }) : insertEvent.get(row)) as
          | number
          | undefined;
        return seq === undefined ? null : eventFromRow({ ...row, seq });
      });
    },

    async listEvents(query) {
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

    async pruneEvents({ before, limit = 1000, belowSeq }) {
      return guard('pruneEvents', () =>
        belowSeq === undefined
          ? pruneOldEvents.run({ before, limit }).changes
          : pruneEventsBelowSeq.run({ belowSeq, limit }).changes,
      );
    },

    async eventLogStart({ before }) {
      return guard('eventLogStart', () => logStart.get({ before }) as number);
    },
  };
}
