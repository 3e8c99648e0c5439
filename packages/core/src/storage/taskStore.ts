import type { NewRoadmapEvent, RoadmapEvent } from '../domain/events.js';
import type { PauseReason, TaskRecord, TaskStatus } from '../domain/task.js';
import type { UsageReport } from '../domain/usage.js';

/**
 * Proof that a worker holds a task: every worker write carries it, and storage rejects stale tokens.
 *
 * A fenced write (here, and in the checkpoint and event parts) succeeds only while the task is `processing` (or
 * `paused`: its worker stores the calls that were in flight when the pause came) under `leaseToken`, and the check
 * and the write are one atomic step: a `transitionTask` that cancels the task is
 * ordered entirely before the write (which then fails and changes nothing) or entirely after it.
 */
export interface LeaseFence {
  taskId: string;
  leaseToken: string;
}

/** Fields of a task that may change besides `status`. A key whose value is `undefined` is left as it is. */
export type TaskPatch = Partial<
  Pick<
    TaskRecord,
    | 'title'
    | 'current_step'
    | 'progress'
    | 'error_message'
    | 'failed_concepts'
    | 'cancel_reason'
    | 'completed_at'
    | 'updated_at'
    | 'lease_token'
    | 'lease_expires_at'
    | 'attempts'
    | 'roadmap_id'
    | 'pause_reason'
    | 'review_round'
    | 'usage'
    | 'budget_usd'
  >
>;

export interface TaskListQuery {
  /** Only this user's tasks (and counts). Omit for all users. */
  userId?: string;
  /** Only the task that generates this roadmap. */
  roadmapId?: string;
  /** Only tasks in these statuses. `counts` ignore this filter. */
  statuses?: readonly TaskStatus[];
  /** Page size. Default: 50. */
  limit?: number;
  /** Tasks skipped before the page. Default: 0. */
  offset?: number;
}

export interface TaskListResult {
  /** Newest first (`created_at` descending, then `task_id`). */
  tasks: TaskRecord[];
  /** Tasks matching the query, ignoring limit and offset. */
  total: number;
  /** Tasks per status for the query's user, ignoring the status filter. */
  counts: Record<TaskStatus, number>;
}

export interface StatusChange {
  /** The change happens only when the current status is one of these (compare-and-set). */
  from: readonly TaskStatus[];
  to: TaskStatus;
  /** When a string, the change also requires this lease token (a worker's fenced write). */
  leaseToken?: string;
  /** Other fields to set in the same atomic write. */
  patch?: TaskPatch;
  /**
   * The event this change emits, built from the task as changed and appended to the event log in the same
   * transaction as the change: both are stored or neither is (SPEC §2 — a crash can never keep a `cancelled`
   * status without its `cancelled` event).
   */
  event?: (task: TaskRecord) => NewRoadmapEvent;
}

/** A status change that happened: the task after it and, when the change carried one, its stored event. */
export interface TaskTransition {
  task: TaskRecord;
  /** The change's event with its `seq`; `null` when the change carried none. */
  event: RoadmapEvent | null;
}

/** What `createTask` did: the task, whether it was created, and its first event when it was. */
export interface CreatedTask {
  task: TaskRecord;
  /** False when (user, idempotency key) existed: `task` is that earlier task. */
  created: boolean;
  /** The event passed to `createTask`, stored with the task; `null` when not created or none was passed. */
  event: RoadmapEvent | null;
}

export interface AcquireLeaseResult {
  /** The task after the claim: `processing`, holding the new token, `attempts` incremented. */
  task: TaskRecord;
  /** Status before the claim. */
  previousStatus: TaskStatus;
  /** True when the task was `processing` under another (expired or released) lease: a recovery. */
  recovered: boolean;
}

/**
 * The answer of `acquireLease` when the task could be claimed but its user already has `userLimit` tasks
 * `processing` under live leases (SPEC §7 fair scheduling): nothing changed; claim it again later.
 */
export interface UserAtLimit {
  userAtLimit: true;
}

/** Whether an `acquireLease` answer is {@link UserAtLimit}. */
export function isUserAtLimit(value: AcquireLeaseResult | UserAtLimit | null): value is UserAtLimit {
  return value !== null && 'userAtLimit' in value;
}

/** The lease `acquireLease` takes. */
export interface LeaseClaim {
  token: string;
  /** The caller's clock, ms since the epoch: leases expiring at or before it are not live. */
  now: number;
  expiresAt: number;
  updatedAt: string;
  /**
   * At most this many tasks of the task's user may be `processing` under live leases, this one included; checked in
   * the same atomic step as the claim, across every process on the storage. Omit for no limit.
   */
  userLimit?: number;
}

/** Which tasks {@link TaskStore.sumUsage} adds up. */
export interface UsageSumQuery {
  userId: string;
  /** Inclusive lower bound of `created_at`. */
  createdFrom: string;
  /** Exclusive upper bound of `created_at`. */
  createdBefore: string;
}

/** Usage added up over tasks: unknown costs count as 0. */
export interface UsageTotals {
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

/**
 * Tasks and their leases: the part of `Storage` every status change goes through.
 *
 * Atomicity (checked by `runTaskStoreConformance` from `@roadmap/core/testing`):
 * - `createTask` deduplicates by (user, idempotency key) atomically: of concurrent calls with one key, exactly one
 *   creates the task and every other returns it; a `roadmap_id` is held by one task only;
 * - a status change (and a new task) is stored with its event in one transaction, so the task part and the
 *   event part share one database;
 * - `transitionTask` is one compare-and-set on the current status (and the lease token when given), writing the
 *   patch in the same step — never read-then-write (`UPDATE … WHERE status IN (…) RETURNING *`);
 * - `acquireLease` is one compare-and-set too: of concurrent claimers exactly one wins, and `previousStatus` is the
 *   status it replaced, read in that same step;
 * - `updateTask`, `renewLease` and `releaseLease` are fenced writes ({@link LeaseFence});
 * - `listTasks` reads its page, `total` and `counts` from one snapshot, so they agree.
 *
 * Left out on purpose: deleting tasks here (`DataLifecycleStore`), and transactions that span several tasks.
 */
export interface TaskStore {
  /**
   * Inserts a task, and `event` (built from it) in the same transaction; when `idempotency_key` is set and
   * (user, key) exists, returns that task instead and stores nothing. Throws `RoadmapError('roadmap_id_taken')`,
   * storing nothing, when another task already holds `record.roadmap_id`: roadmap ids are unique.
   */
  createTask(record: TaskRecord, event?: (task: TaskRecord) => NewRoadmapEvent): Promise<CreatedTask>;
  getTask(taskId: string): Promise<TaskRecord | null>;
  listTasks(query: TaskListQuery): Promise<TaskListResult>;
  /**
   * The sum of `usage` over the user's tasks created in `[createdFrom, createdBefore)` (ISO-8601 UTC strings), in
   * one query: what `GET /usage` reports for a budget period. Costs that are unknown (`null`) add 0.
   */
  sumUsage(query: UsageSumQuery): Promise<UsageTotals>;
  /**
   * Adds `usage` to the task's `usage` in one atomic step, whatever its status and lease (an image call is paid for
   * whoever holds the task): counts add up, and the cost stays unknown (`null`) once either is. The task after it;
   * `null` when it is missing.
   */
  addTaskUsage(taskId: string, usage: UsageReport): Promise<TaskRecord | null>;
  /**
   * Compare-and-set status change, with its event in the same transaction; `null` (nothing stored) when the task
   * is missing or the condition failed.
   */
  transitionTask(taskId: string, change: StatusChange): Promise<TaskTransition | null>;
  /** Fenced update of non-status fields by the lease holder; `null` when the fence failed. */
  updateTask(fence: LeaseFence, patch: TaskPatch): Promise<TaskRecord | null>;

  /**
   * Takes the task for a worker: succeeds when the task is `pending`, or `processing` with no live lease
   * (`lease_token` null or `lease_expires_at <= now`). Sets status `processing`, the token and expiry, and
   * increments `attempts`. `null` when the task is missing, terminal, or held by a live lease. With
   * `lease.userLimit`, {@link UserAtLimit} (nothing changed) when the user already has that many other tasks
   * `processing` under live leases: counted and claimed in one atomic step, so concurrent claimers in any process
   * never exceed it.
   */
  acquireLease(taskId: string, lease: LeaseClaim): Promise<AcquireLeaseResult | UserAtLimit | null>;
  /** Extends the holder's lease; false when the fence failed (lease taken over, task cancelled). */
  renewLease(fence: LeaseFence, expiresAt: number): Promise<boolean>;
  /** Gives the task up without changing its status, so another worker can claim it at once. */
  releaseLease(fence: LeaseFence): Promise<boolean>;
  /**
   * One page of the tasks a recovery sweep requeues, ordered by `task_id`: `processing` tasks with no live lease at
   * `query.now` (their worker died or gave them up) and `pending` tasks last updated at or before
   * `query.pendingUpdatedBefore` (every pending task when it is `null`). Keyset-paged (`afterTaskId`) with a limit,
   * from an index of unfinished tasks, so a sweep costs what is unfinished, never what is stored.
   */
  listRecoverableTasks(query: RecoverableTaskQuery): Promise<TaskRecord[]>;
  /**
   * One page of the `paused` tasks paused for `query.pauseReason`, ordered by `task_id`: what the budget sweep
   * resumes. Keyset-paged (`afterTaskId`) with a limit, from an index of paused tasks, so a sweep costs what is
   * paused, never what is stored; a task resumed between two pages shifts nothing.
   */
  listPausedTasks(query: PausedTaskQuery): Promise<TaskRecord[]>;
  /**
   * Takes (or, for its holder, extends) the named sweep lease until `lease.expiresAt`, so a periodic sweep runs in
   * one process at a time: true when `lease.holder` now holds it — the lease was free, expired at `lease.now`, or
   * already its own. One compare-and-set; of concurrent claimers exactly one wins.
   */
  acquireSweepLease(lease: SweepLease): Promise<boolean>;
  /** Gives the named sweep lease up if `holder` holds it, so another process takes the next sweep at once. */
  releaseSweepLease(name: string, holder: string): Promise<void>;
}

/** A page of {@link TaskStore.listRecoverableTasks}. */
export interface RecoverableTaskQuery {
  /** Leases that expire at or before this time (ms since the epoch) are dead. A storage on its own clock ignores it. */
  now: number;
  /** Pending tasks last updated at or before this ISO time are included; `null` includes every pending task. */
  pendingUpdatedBefore: string | null;
  /** Only tasks whose id sorts (by code unit) after this one: the last id of the previous page. */
  afterTaskId?: string;
  /** Most tasks in the page. */
  limit: number;
}

/** A page of {@link TaskStore.listPausedTasks}. */
export interface PausedTaskQuery {
  /** Only tasks paused for this reason. */
  pauseReason: PauseReason;
  /** Only tasks whose id sorts (by code unit) after this one: the last id of the previous page. */
  afterTaskId?: string;
  /** Most tasks in the page. */
  limit: number;
}

/** A named lease on a periodic sweep ({@link TaskStore.acquireSweepLease}). */
export interface SweepLease {
  /** Which sweep, e.g. `recovery`. */
  name: string;
  /** The process asking: an id unique to one engine. */
  holder: string;
  /** Now, in ms since the epoch; a lease that expires at or before it is free. A storage on its own clock ignores it. */
  now: number;
  /** When the lease lapses unless its holder extends it, in ms since the epoch (relative to `now`). */
  expiresAt: number;
}
