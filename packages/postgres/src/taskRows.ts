import type { ContentItem, ItemStatus, Roadmap, TaskPatch, TaskRecord } from '@roadmap/core';
import { contentKinds } from '@roadmap/core';

/** A `tasks` row as pg returns it (BIGINT arrives as a string; rows aggregated as JSON carry a number). */
export interface TaskRow extends Omit<TaskRecord, 'lease_expires_at' | 'attempts'> {
  attempts: number | string;
  lease_expires_at: string | number | null;
}

export interface ContentItemRow extends Omit<ContentItem, 'content'> {
  content: ContentItem['content'];
}

/** Columns of `tasks`, in insert order, with the SQL type each parameter is cast to. */
const taskColumnTypes = {
  task_id: 'text',
  user_id: 'text',
  roadmap_id: 'text',
  title: 'text',
  status: 'text',
  current_step: 'text',
  progress: 'jsonb',
  error_message: 'text',
  failed_concepts: 'jsonb',
  cancel_reason: 'text',
  attempts: 'integer',
  created_at: 'text',
  updated_at: 'text',
  completed_at: 'text',
  request: 'jsonb',
  idempotency_key: 'text',
  lease_token: 'text',
  lease_expires_at: 'bigint',
} as const satisfies Record<keyof TaskRecord, string>;

type TaskColumn = keyof typeof taskColumnTypes;

const taskColumns = Object.keys(taskColumnTypes) as TaskColumn[];

/**
 * Columns a {@link TaskPatch} may set: every task column except the id and the status (a status only changes by
 * compare-and-set). Derived from the column list, so a field added to `TaskPatch` is never silently dropped.
 */
const patchColumns: ReadonlySet<string> = new Set(
  taskColumns.filter((column) => column !== 'task_id' && column !== 'status'),
);

/** A value ready to be a query parameter: JSONB columns are sent as JSON text (pg would turn arrays into SQL arrays). */
function parameter(column: TaskColumn, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return taskColumnTypes[column] === 'jsonb' ? JSON.stringify(value) : value;
}

/** `INSERT` column list and `VALUES` placeholders for a whole record, appending its values to `values`. */
export function taskInsert(record: TaskRecord, values: unknown[]): { columns: string; placeholders: string } {
  const placeholders = taskColumns.map((column) => {
    values.push(parameter(column, record[column]));
    return `$${values.length}::${taskColumnTypes[column]}`;
  });
  return { columns: taskColumns.join(', '), placeholders: placeholders.join(', ') };
}

/** `column = $n::type` for every field of the patch, appending the values to `values`. */
export function patchAssignments(patch: TaskPatch | undefined, values: unknown[]): string[] {
  if (!patch) return [];
  const assignments: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (!patchColumns.has(key) || value === undefined) continue;
    const column = key as TaskColumn;
    values.push(parameter(column, value));
    assignments.push(`${column} = $${values.length}::${taskColumnTypes[column]}`);
  }
  return assignments;
}

/** A task record from a row: BIGINT and counts become numbers; everything else is already as stored. */
export function toTaskRecord(row: TaskRow): TaskRecord {
  return {
    task_id: row.task_id,
    user_id: row.user_id,
    roadmap_id: row.roadmap_id,
    title: row.title,
    status: row.status,
    current_step: row.current_step,
    progress: row.progress,
    error_message: row.error_message,
    failed_concepts: row.failed_concepts,
    cancel_reason: row.cancel_reason,
    attempts: Number(row.attempts),
    created_at: row.created_at,
    updated_at: row.updated_at,
    completed_at: row.completed_at,
    request: row.request,
    idempotency_key: row.idempotency_key,
    lease_token: row.lease_token,
    lease_expires_at: row.lease_expires_at === null ? null : Number(row.lease_expires_at),
  };
}

export function toContentItem(row: ContentItemRow): ContentItem {
  return {
    roadmap_id: row.roadmap_id,
    concept_id: row.concept_id,
    kind: row.kind,
    status: row.status,
    content: row.content,
    error: row.error,
    updated_at: row.updated_at,
  };
}

/** Concept ids × kinds in planned order: the items `saveRoadmap` creates, as two parallel arrays for `unnest`. */
export function plannedItems(roadmap: Roadmap): { conceptIds: string[]; kinds: string[] } {
  const conceptIds: string[] = [];
  const kinds: string[] = [];
  for (const stage of roadmap.stages) {
    for (const module of stage.modules) {
      for (const concept of module.concepts) {
        for (const kind of contentKinds) {
          conceptIds.push(concept.concept_id);
          kinds.push(kind);
        }
      }
    }
  }
  return { conceptIds, kinds };
}

/** The stored framework with each concept's `*_status` read from its items (`pending` when none). */
export function withItemStatuses(framework: Roadmap, statuses: ReadonlyArray<[string, string, string]>): Roadmap {
  const byItem = new Map(statuses.map(([conceptId, kind, status]) => [`${conceptId}\u0000${kind}`, status]));
  for (const stage of framework.stages) {
    for (const module of stage.modules) {
      for (const concept of module.concepts) {
        for (const kind of contentKinds) {
          const status = byItem.get(`${concept.concept_id}\u0000${kind}`) ?? 'pending';
          concept[`${kind}_status`] = status as ItemStatus;
        }
      }
    }
  }
  return framework;
}
