import type { CoverPatch, CoverRecord, ImageAttribution } from '../domain/coverRecord.js';
import type { ContentItem, ContentKind, CoverStatus, GenerateRequest, ItemStatus } from '../domain/schemas.js';
import type { CurrentStep, Progress, TaskRecord, TaskStatus } from '../domain/task.js';
import { type UsageReport, usageOf } from '../domain/usage.js';
import type { ContentValue } from './checkpointStore.js';
import type { TaskPatch } from './taskStore.js';

/**
 * Rows of the SQL storages (`@roadmap/sqlite`, `@roadmap/postgres`) and the records they hold: one mapping for
 * both drivers, so a column added to a record is added once. Drivers differ in two ways, both absorbed here: a
 * JSON column arrives as text (SQLite) or parsed (PostgreSQL `jsonb`), and a 64-bit integer as a number or as a
 * string (pg `bigint`).
 */

/** A JSON column as the driver returns it: text, or already parsed. Only for columns holding objects or arrays. */
export type JsonColumn<Value> = Value | string;
/** An integer column: a number, or a string where the driver returns 64-bit integers as text. */
export type IntegerColumn = number | string;
/** How a column is stored: `json` values are written as JSON text; the others as they are. */
export type ColumnType = 'text' | 'integer' | 'bigint' | 'real' | 'json';

function readJson<Value>(column: JsonColumn<Value>): Value {
  return typeof column === 'string' ? (JSON.parse(column) as Value) : column;
}

function readNullableJson<Value>(column: JsonColumn<Value> | null): Value | null {
  return column === null ? null : readJson(column);
}

function readNullableInteger(column: IntegerColumn | null): number | null {
  return column === null ? null : Number(column);
}

/** A value ready to bind to a column of `type`: JSON as text; `null` and `undefined` as SQL `NULL`. */
export function columnValue(type: ColumnType, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return type === 'json' ? JSON.stringify(value) : value;
}

/** One column a patch sets: its name, how it is stored, and the value ready to bind. */
export interface PatchColumn {
  column: string;
  type: ColumnType;
  value: unknown;
}

/**
 * The columns `patch` sets, in the order of `types` (so equal shapes make equal SQL, one prepared statement each).
 * Keys whose value is `undefined` and keys that are not in `types` are left out; `null` clears a column.
 */
function patchColumns<Patch extends object>(
  patch: Patch | undefined,
  types: Readonly<Record<keyof Patch & string, ColumnType>>,
): PatchColumn[] {
  if (!patch) return [];
  const columns: PatchColumn[] = [];
  for (const column of Object.keys(types) as (keyof Patch & string)[]) {
    const value = patch[column];
    if (value === undefined) continue;
    const type = types[column];
    columns.push({ column, type, value: columnValue(type, value) });
  }
  return columns;
}

// --- tasks -------------------------------------------------------------------------------------------------------

/** Columns of `tasks`, in table order, and how each is stored. */
export const taskColumnTypes = {
  task_id: 'text',
  user_id: 'text',
  roadmap_id: 'text',
  title: 'text',
  status: 'text',
  current_step: 'text',
  progress: 'json',
  error_message: 'text',
  failed_concepts: 'json',
  cancel_reason: 'text',
  attempts: 'integer',
  created_at: 'text',
  updated_at: 'text',
  completed_at: 'text',
  request: 'json',
  idempotency_key: 'text',
  lease_token: 'text',
  lease_expires_at: 'bigint',
  pause_reason: 'text',
  review_round: 'integer',
  usage: 'json',
  budget_usd: 'real',
} as const satisfies Record<keyof TaskRecord, ColumnType>;

export type TaskColumn = keyof typeof taskColumnTypes;

/** Columns of `tasks`, in table order. */
export const taskColumns = Object.keys(taskColumnTypes) as readonly TaskColumn[];

/** Columns a {@link TaskPatch} may set: every field of it (the type fails to compile until a new field is added). */
const taskPatchTypes: Readonly<Record<keyof TaskPatch, ColumnType>> = {
  title: 'text',
  roadmap_id: 'text',
  current_step: 'text',
  progress: 'json',
  error_message: 'text',
  failed_concepts: 'json',
  cancel_reason: 'text',
  completed_at: 'text',
  updated_at: 'text',
  lease_token: 'text',
  lease_expires_at: 'bigint',
  attempts: 'integer',
  pause_reason: 'text',
  review_round: 'integer',
  usage: 'json',
  budget_usd: 'real',
};

/** A row of `tasks` as a driver returns it. */
export interface TaskRow {
  task_id: string;
  user_id: string;
  roadmap_id: string;
  title: string;
  status: string;
  current_step: string;
  progress: JsonColumn<Progress>;
  error_message: string | null;
  failed_concepts: JsonColumn<TaskRecord['failed_concepts']>;
  cancel_reason: string | null;
  attempts: IntegerColumn;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  request: JsonColumn<GenerateRequest>;
  idempotency_key: string | null;
  lease_token: string | null;
  lease_expires_at: IntegerColumn | null;
  pause_reason: string | null;
  review_round: IntegerColumn;
  /** `null` in rows written before usage was stored on the task. */
  usage: JsonColumn<UsageReport> | null;
  budget_usd: number | string | null;
}

export function taskFromRow(row: TaskRow): TaskRecord {
  return {
    task_id: row.task_id,
    user_id: row.user_id,
    roadmap_id: row.roadmap_id,
    title: row.title,
    status: row.status as TaskStatus,
    current_step: row.current_step as CurrentStep,
    progress: readJson(row.progress),
    error_message: row.error_message,
    failed_concepts: readJson(row.failed_concepts),
    cancel_reason: row.cancel_reason,
    attempts: Number(row.attempts),
    created_at: row.created_at,
    updated_at: row.updated_at,
    completed_at: row.completed_at,
    request: readJson(row.request),
    idempotency_key: row.idempotency_key,
    lease_token: row.lease_token,
    lease_expires_at: readNullableInteger(row.lease_expires_at),
    pause_reason: (row.pause_reason ?? null) as TaskRecord['pause_reason'],
    review_round: Number(row.review_round ?? 0),
    usage: usageOf(readNullableJson(row.usage ?? null)),
    budget_usd: row.budget_usd === null || row.budget_usd === undefined ? null : Number(row.budget_usd),
  };
}

/** Every column of a task, ready to bind (JSON columns as text), keyed by column name. */
export function taskToRow(record: TaskRecord): Record<TaskColumn, unknown> {
  const row = {} as Record<TaskColumn, unknown>;
  for (const column of taskColumns) row[column] = columnValue(taskColumnTypes[column], record[column]);
  return row;
}

/** The columns a task patch sets (see {@link PatchColumn}); `task_id` and `status` are never among them. */
export function taskPatchColumns(patch: TaskPatch | undefined): PatchColumn[] {
  return patchColumns(patch, taskPatchTypes);
}

// --- content items -----------------------------------------------------------------------------------------------

/** A row of `content_items` as a driver returns it (without the storage's own ordering column). */
export interface ItemRow {
  roadmap_id: string;
  concept_id: string;
  kind: string;
  status: string;
  content: JsonColumn<ContentValue> | null;
  error: string | null;
  updated_at: string;
}

export function itemFromRow(row: ItemRow): ContentItem {
  return {
    roadmap_id: row.roadmap_id,
    concept_id: row.concept_id,
    kind: row.kind as ContentKind,
    status: row.status as ItemStatus,
    content: readNullableJson(row.content),
    error: row.error,
    updated_at: row.updated_at,
  };
}

// --- covers ------------------------------------------------------------------------------------------------------

/** Columns of `covers`, in table order, and how each is stored. */
export const coverColumnTypes = {
  roadmap_id: 'text',
  user_id: 'text',
  task_id: 'text',
  cover_image_url: 'text',
  status: 'text',
  error: 'text',
  retry_count: 'integer',
  provider: 'text',
  attribution: 'json',
  blob_key: 'text',
  next_attempt_at: 'bigint',
  created_at: 'text',
  updated_at: 'text',
} as const satisfies Record<keyof CoverRecord, ColumnType>;

/** Columns of `covers`, in table order. */
export const coverColumns = Object.keys(coverColumnTypes) as readonly (keyof typeof coverColumnTypes)[];

/** Columns a {@link CoverPatch} may set: every field of it (the type fails to compile until a new field is added). */
const coverPatchTypes: Readonly<Record<keyof CoverPatch, ColumnType>> = {
  cover_image_url: 'text',
  error: 'text',
  retry_count: 'integer',
  provider: 'text',
  attribution: 'json',
  blob_key: 'text',
  next_attempt_at: 'bigint',
  updated_at: 'text',
};

/** A row of `covers` as a driver returns it. */
export interface CoverRow {
  roadmap_id: string;
  user_id: string;
  task_id: string;
  cover_image_url: string | null;
  status: string;
  error: string | null;
  retry_count: IntegerColumn;
  provider: string | null;
  attribution: JsonColumn<ImageAttribution> | null;
  blob_key: string | null;
  next_attempt_at: IntegerColumn | null;
  created_at: string;
  updated_at: string;
}

export function coverFromRow(row: CoverRow): CoverRecord {
  return {
    roadmap_id: row.roadmap_id,
    user_id: row.user_id,
    task_id: row.task_id,
    cover_image_url: row.cover_image_url,
    status: row.status as CoverStatus,
    error: row.error,
    retry_count: Number(row.retry_count),
    provider: row.provider,
    attribution: readNullableJson(row.attribution),
    blob_key: row.blob_key,
    next_attempt_at: readNullableInteger(row.next_attempt_at),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The columns a cover patch sets (see {@link PatchColumn}); `roadmap_id` and `status` are never among them. */
export function coverPatchColumns(patch: CoverPatch | undefined): PatchColumn[] {
  return patchColumns(patch, coverPatchTypes);
}
