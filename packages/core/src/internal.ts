/**
 * `@roadmap/core/internal`: helpers the Roadmap Kit adapter packages share (row mapping, domain derivations, retry
 * parsing, abort errors). Not part of the public API: names here may change in any release. Each name is exported
 * once, here or at the root (`@roadmap/core`), never both; packages/core/README.md says which is which.
 */

export { maxCoverBatchSize, maxCoverUploadBytes } from './covers/coverService.js';
export type { ItemStatusEntry } from './domain/conceptStatus.js';
export { withConceptStatuses } from './domain/conceptStatus.js';
export { toPublicCover } from './domain/coverRecord.js';
export { itemErrorFor } from './domain/itemError.js';
export type { PlannedItem } from './domain/itemPlan.js';
export { planItems } from './domain/itemPlan.js';
export { computeProgress, currentStepSchema, emptyProgress, toPublicTask } from './domain/task.js';
export type { StatusCountEntry, TaskCounts } from './domain/taskCounts.js';
export { emptyTaskCounts, taskCountsFrom, totalOf } from './domain/taskCounts.js';
export { maxBatchCancelIds } from './engine/batchCancel.js';
export { generateStructured } from './model/structuredGeneration.js';
export { isoTime } from './shared/clock.js';
export { abortError, errorMessage } from './shared/errors.js';
export type { HeaderSource } from './shared/retryAfter.js';
export { parseRetryAfter } from './shared/retryAfter.js';
export { budgetFit } from './storage/budgetStore.js';
export { contentCheckpointPrefix } from './storage/dataLifecycleStore.js';
export { roadmapIdTaken } from './storage/roadmapIdTaken.js';
export type {
  ColumnType,
  CoverRow,
  IntegerColumn,
  ItemRow,
  JsonColumn,
  PatchColumn,
  TaskColumn,
  TaskRow,
} from './storage/sqlRows.js';
export {
  columnValue,
  coverColumns,
  coverColumnTypes,
  coverFromRow,
  coverPatchColumns,
  itemFromRow,
  taskColumns,
  taskColumnTypes,
  taskFromRow,
  taskPatchColumns,
  taskToRow,
} from './storage/sqlRows.js';
