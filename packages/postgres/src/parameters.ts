import type { TaskRecord } from '@roadmap/core';
import { type ColumnType, columnValue, type PatchColumn, taskColumns, taskColumnTypes } from '@roadmap/core/internal';

/**
 * What is particular to PostgreSQL in binding values: numbered parameters (`$n`), each cast to its column's type.
 * Rows map to records through the mapping shared with `@roadmap/sqlite` (`taskFromRow`, `coverFromRow`, … from
 * `@roadmap/core/internal`).
 */

/** The SQL type a parameter of a column is cast to: JSON goes as text into `jsonb`, `real` is 64-bit. */
function castOf(type: ColumnType): string {
  if (type === 'json') return 'jsonb';
  return type === 'real' ? 'double precision' : type;
}

/** `INSERT` column list and `VALUES` placeholders for a whole task, appending its values to `values`. */
export function taskInsert(record: TaskRecord, values: unknown[]): { columns: string; placeholders: string } {
  const placeholders = taskColumns.map((column) => {
    const type = taskColumnTypes[column];
    values.push(columnValue(type, record[column]));
    return `$${values.length}::${castOf(type)}`;
  });
  return { columns: taskColumns.join(', '), placeholders: placeholders.join(', ') };
}

/**
 * `column = $n::type` for each column a patch sets (from `taskPatchColumns` or `coverPatchColumns`), appending the
 * values to `values`.
 */
export function bindPatch(columns: readonly PatchColumn[], values: unknown[]): string[] {
  return columns.map(({ column, type, value }) => {
    values.push(value);
    return `${column} = $${values.length}::${castOf(type)}`;
  });
}

/**
 * Condition "this task row is held by lease token `$2`" (with the task id bound as `$1`): the fence of a write. A
 * paused task's worker still holds it while it stores the calls that were in flight when the pause came.
 */
export const fenced = `status IN ('processing', 'paused') AND lease_token = $2`;
