import type { CoverPatch, CoverRecord, CoverStatus, ImageAttribution } from '@roadmap/core';

/** A row of `covers`: `attribution` holds JSON text. */
export interface CoverRow {
  roadmap_id: string;
  user_id: string;
  task_id: string;
  cover_image_url: string | null;
  status: string;
  error: string | null;
  retry_count: number;
  provider: string | null;
  attribution: string | null;
  blob_key: string | null;
  next_attempt_at: number | null;
  created_at: string;
  updated_at: string;
}

/** Columns of `covers`, in table order. */
export const coverColumns: readonly (keyof CoverRow)[] = [
  'roadmap_id',
  'user_id',
  'task_id',
  'cover_image_url',
  'status',
  'error',
  'retry_count',
  'provider',
  'attribution',
  'blob_key',
  'next_attempt_at',
  'created_at',
  'updated_at',
];

export function coverFromRow(row: CoverRow): CoverRecord {
  return {
    roadmap_id: row.roadmap_id,
    user_id: row.user_id,
    task_id: row.task_id,
    cover_image_url: row.cover_image_url,
    status: row.status as CoverStatus,
    error: row.error,
    retry_count: row.retry_count,
    provider: row.provider,
    attribution: row.attribution === null ? null : (JSON.parse(row.attribution) as ImageAttribution),
    blob_key: row.blob_key,
    next_attempt_at: row.next_attempt_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** Columns a {@link CoverPatch} may set, in a stable order (equal shapes share one prepared statement). */
const coverPatchColumns: readonly (keyof CoverPatch)[] = [
  'cover_image_url',
  'error',
  'retry_count',
  'provider',
  'attribution',
  'blob_key',
  'next_attempt_at',
  'updated_at',
];

/**
 * `SET` assignments of a cover patch (bound as `@patch_<column>`) and their values. Keys whose value is
 * `undefined` and unknown keys are left out; `null` clears a column; `attribution` is stored as JSON text.
 */
export function coverPatchParameters(patch: CoverPatch | undefined): {
  assignments: string[];
  values: Record<string, unknown>;
} {
  const assignments: string[] = [];
  const values: Record<string, unknown> = {};
  if (!patch) return { assignments, values };
  for (const column of coverPatchColumns) {
    const value = patch[column];
    if (value === undefined) continue;
    assignments.push(`${column} = @patch_${column}`);
    values[`patch_${column}`] = column === 'attribution' && value !== null ? JSON.stringify(value) : value;
  }
  return { assignments, values };
}
