import { type TaskStatus, taskStatuses } from './task.js';

/** Tasks per status, every status present. */
export type TaskCounts = Record<TaskStatus, number>;

/** A count a storage grouped by status: `count` may arrive as a string (PostgreSQL `bigint`). */
export interface StatusCountEntry {
  status: string;
  count: number | string;
}

/** Zero tasks in every status. */
export function emptyTaskCounts(): TaskCounts {
  const counts = {} as TaskCounts;
  for (const status of taskStatuses) counts[status] = 0;
  return counts;
}

/** Counts per status from the rows of a `GROUP BY status`; a status with no row counts 0, unknown ones are left out. */
export function taskCountsFrom(entries: Iterable<StatusCountEntry>): TaskCounts {
  const counts = emptyTaskCounts();
  for (const entry of entries) {
    if (taskStatuses.includes(entry.status as TaskStatus)) counts[entry.status as TaskStatus] = Number(entry.count);
  }
  return counts;
}

/**
 * How many tasks a list matches: the counts of the statuses it filters on (each status once, however often it is
 * listed), or of every status without a filter. Storages count per status once and derive `total` from it, so
 * `total` and `counts` of one `listTasks` answer always agree.
 */
export function totalOf(counts: TaskCounts, statuses?: readonly TaskStatus[]): number {
  let total = 0;
  for (const status of statuses ? new Set(statuses) : taskStatuses) total += counts[status] ?? 0;
  return total;
}
