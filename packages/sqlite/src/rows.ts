import type {
  ContentItem,
  ContentKind,
  ItemStatus,
  NewRoadmapEvent,
  RoadmapEvent,
  TaskPatch,
  TaskRecord,
  TaskStatus,
} from '@roadmap/core';

/** A row of `tasks`: JSON columns hold text. */
export interface TaskRow {
  task_id: string;
  user_id: string;
  roadmap_id: string;
  title: string;
  status: string;
  current_step: string;
  progress: string;
  error_message: string | null;
  failed_concepts: string;
  cancel_reason: string | null;
  attempts: number;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  request: string;
  idempotency_key: string | null;
  lease_token: string | null;
  lease_expires_at: number | null;
}

export function taskFromRow(row: TaskRow): TaskRecord {
  return {
    task_id: row.task_id,
    user_id: row.user_id,
    roadmap_id: row.roadmap_id,
    title: row.title,
    status: row.status as TaskStatus,
    current_step: row.current_step as TaskRecord['current_step'],
    progress: JSON.parse(row.progress),
    error_message: row.error_message,
    failed_concepts: JSON.parse(row.failed_concepts),
    cancel_reason: row.cancel_reason,
    attempts: row.attempts,
    created_at: row.created_at,
    updated_at: row.updated_at,
    completed_at: row.completed_at,
    request: JSON.parse(row.request),
    idempotency_key: row.idempotency_key,
    lease_token: row.lease_token,
    lease_expires_at: row.lease_expires_at,
  };
}

export function taskToRow(record: TaskRecord): TaskRow {
  return {
    task_id: record.task_id,
    user_id: record.user_id,
    roadmap_id: record.roadmap_id,
    title: record.title,
    status: record.status,
    current_step: record.current_step,
    progress: JSON.stringify(record.progress),
    error_message: record.error_message,
    failed_concepts: JSON.stringify(record.failed_concepts),
    cancel_reason: record.cancel_reason,
    attempts: record.attempts,
    created_at: record.created_at,
    updated_at: record.updated_at,
    completed_at: record.completed_at,
    request: JSON.stringify(record.request),
    idempotency_key: record.idempotency_key,
    lease_token: record.lease_token,
    lease_expires_at: record.lease_expires_at,
  };
}

/** Columns of `tasks`, in table order. */
export const taskColumns: readonly (keyof TaskRow)[] = [
  'task_id',
  'user_id',
  'roadmap_id',
  'title',
  'status',
  'current_step',
  'progress',
  'error_message',
  'failed_concepts',
  'cancel_reason',
  'attempts',
  'created_at',
  'updated_at',
  'completed_at',
  'request',
  'idempotency_key',
  'lease_token',
  'lease_expires_at',
];

/** Columns a {@link TaskPatch} may set, and whether each holds JSON. */
const patchColumns: Readonly<Record<keyof TaskPatch, 'json' | 'plain'>> = {
  title: 'plain',
  current_step: 'plain',
  progress: 'json',
  error_message: 'plain',
  failed_concepts: 'json',
  cancel_reason: 'plain',
  completed_at: 'plain',
  updated_at: 'plain',
  lease_token: 'plain',
  lease_expires_at: 'plain',
  attempts: 'plain',
};

/**
 * The columns a patch sets (in a stable order, so equal shapes share one prepared statement) and their bound
 * values, named `patch_<column>`. Keys whose value is `undefined` and unknown keys are left out.
 */
export interface PatchParameters {
  columns: string[];
  values: Record<string, unknown>;
}

export function patchParameters(patch: TaskPatch | undefined): PatchParameters {
  const columns: string[] = [];
  const values: Record<string, unknown> = {};
  if (!patch) return { columns, values };
  for (const column of Object.keys(patchColumns) as (keyof TaskPatch)[]) {
    const value = patch[column];
    if (value === undefined) continue;
    columns.push(column);
    values[`patch_${column}`] = patchColumns[column] === 'json' ? JSON.stringify(value) : value;
  }
  return { columns, values };
}

/** A row of `content_items`. */
export interface ItemRow {
  roadmap_id: string;
  concept_id: string;
  kind: string;
  status: string;
  content: string | null;
  error: string | null;
  updated_at: string;
}

export function itemFromRow(row: ItemRow): ContentItem {
  return {
    roadmap_id: row.roadmap_id,
    concept_id: row.concept_id,
    kind: row.kind as ContentKind,
    status: row.status as ItemStatus,
    content: row.content === null ? null : JSON.parse(row.content),
    error: row.error,
    updated_at: row.updated_at,
  };
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
