import type { CoverPatch, CoverRecord, CoverStatus, ImageAttribution } from '@roadmap/core';

/** A `covers` row as pg returns it: BIGINT arrives as a string, JSONB already parsed. */
export interface CoverRow {
  roadmap_id: string;
  user_id: string;
  task_id: string;
  cover_image_url: string | null;
  status: string;
  error: string | null;
  retry_count: number;
  provider: string | null;
  attribution: ImageAttribution | null;
  blob_key: string | null;
  next_attempt_at: string | number | null;
  created_at: string;
  updated_at: string;
}

export function toCoverRecord(row: CoverRow): CoverRecord {
  return {
    roadmap_id: row.roadmap_id,
    user_id: row.user_id,
    task_id: row.task_id,
    cover_image_url: row.cover_image_url,
    status: row.status as CoverStatus,
    error: row.error,
    retry_count: Number(row.retry_count),
    provider: row.provider,
    attribution: row.attribution,
    blob_key: row.blob_key,
    next_attempt_at: row.next_attempt_at === null ? null : Number(row.next_attempt_at),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** Columns a {@link CoverPatch} may set, with the SQL type each parameter is cast to. */
const coverPatchTypes = {
  cover_image_url: 'text',
  error: 'text',
  retry_count: 'integer',
  provider: 'text',
  attribution: 'jsonb',
  blob_key: 'text',
  next_attempt_at: 'bigint',
  updated_at: 'text',
} as const satisfies Record<keyof CoverPatch, string>;

/**
 * `column = $n::type` for every field of the patch, appending the values to `values`. Keys whose value is
 * `undefined` and unknown keys are left out; `null` clears a column (SQL `NULL`, also for `attribution`).
 */
export function coverPatchAssignments(patch: CoverPatch | undefined, values: unknown[]): string[] {
  if (!patch) return [];
  const assignments: string[] = [];
  for (const column of Object.keys(coverPatchTypes) as (keyof CoverPatch)[]) {
    const value = patch[column];
    if (value === undefined) continue;
    const type = coverPatchTypes[column];
    values.push(type === 'jsonb' && value !== null ? JSON.stringify(value) : value);
    assignments.push(`${column} = $${values.length}::${type}`);
  }
  return assignments;
}
