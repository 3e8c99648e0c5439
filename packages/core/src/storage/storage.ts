import type { BudgetStore } from './budgetStore.js';
import type { CheckpointStore } from './checkpointStore.js';
import type { CoverStore } from './coverStore.js';
import type { DataLifecycleStore } from './dataLifecycleStore.js';
import type { EventStore } from './eventStore.js';
import type { TaskStore } from './taskStore.js';

/**
 * Durable state of tasks, roadmaps, content items, the event log, covers and budgets: the six parts a backend author
 * implements, each documented with what it requires atomically —
 * {@link TaskStore} (tasks and leases), {@link CheckpointStore} (checkpoints, roadmaps and content items),
 * {@link EventStore} (the `seq`-ordered event log), {@link CoverStore} (covers) and {@link BudgetStore} (the budget
 * ledger: a reservation per model call) and {@link DataLifecycleStore} (deleting a task, erasing a user, pruning
 * checkpoints) — plus the contract version.
 *
 * Contract of the whole (checked by `runStorageConformance` from `@roadmap/core/testing`, which runs the suite of
 * every part):
 * - every status change is one compare-and-set on the current status, never read-then-write;
 * - writes that carry a `LeaseFence` succeed only while the task is `processing` under that token, checked in the
 *   same atomic step as the write — so the fenced parts share the task's transaction scope (one database);
 * - `appendEvent` assigns one strictly increasing `seq` across the whole log, and events become visible in `seq`
 *   order;
 * - values returned are copies: mutating them never changes what is stored, nor does mutating an argument later.
 *
 * A storage only stores and answers queries: item planning (`planItems`), concept statuses
 * (`withConceptStatuses`) and list counts (`taskCountsFrom`, `totalOf`) come from `@roadmap/core/internal`.
 */
export interface Storage extends TaskStore, CheckpointStore, EventStore, CoverStore, BudgetStore, DataLifecycleStore {
  /** Version of this contract the storage implements; the engine refuses any other. */
  readonly specificationVersion: 'v1';
}
