import type { NewRoadmapEvent, RoadmapEvent } from '@roadmap/core';
import type { PatchColumn } from '@roadmap/core/internal';

/**
 * What is particular to SQLite in reading and writing rows. Tasks, items and covers map through the rows shared
 * with `@roadmap/postgres` (`taskFromRow`, `itemFromRow`, `coverFromRow`, … from `@roadmap/core/internal`).
 */

/**
 * `SET` assignments of a patch's columns (from `taskPatchColumns` or `coverPatchColumns`), each bound as
 * `@patch_<column>`, and the values to bind. Equal shapes give equal SQL, so the statement cache prepares each once.
 */
export function bindPatch(columns: readonly PatchColumn[]): { assignments: string[]; values: Record<string, unknown> } {
  const assignments: string[] = [];
  const values: Record<string, unknown> = {};
  for (const { column, value } of columns) {
    assignments.push(`${column} = @patch_${column}`);
    values[`patch_${column}`] = value;
  }
  return { assignments, values };
}

/** A row of `events`: the fields every event has, and the rest of it as JSON. */
export interface EventRow {
  seq: number;
  task_id: string;
  user_id: string;
  type: string;
  timestamp: string;
  payload: string;
}

export function eventToRow(event: NewRoadmapEvent): Omit<EventRow, 'seq'> {
  // A `seq` on the input (an event appended again) is not kept: storage assigns a new one.
  const { type, task_id, user_id, timestamp, seq: _seq, ...payload } = event as NewRoadmapEvent & { seq?: unknown };
  return { type, task_id, user_id, timestamp, payload: JSON.stringify(payload) };
}

export function eventFromRow(row: EventRow): RoadmapEvent {
  const payload = JSON.parse(row.payload) as Record<string, unknown>;
  return {
    ...payload,
    type: row.type,
    seq: row.seq,
    task_id: row.task_id,
    user_id: row.user_id,
    timestamp: row.timestamp,
  } as RoadmapEvent;
}

/** Checkpoint values are any JSON; `undefined` is kept as SQL `NULL`. */
export function checkpointToColumn(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function checkpointFromColumn(value: string | null): unknown {
  return value === null ? undefined : JSON.parse(value);
}
