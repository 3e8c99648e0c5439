import type { CoverChange, CoverRecord } from '../domain/coverRecord.js';
import type { NewRoadmapEvent, RoadmapEvent } from '../domain/events.js';
import type { ContentItem, ContentKind, ItemStatus, Quiz, Resources, Roadmap, Tutorial } from '../domain/schemas.js';
import type { TaskRecord, TaskStatus } from '../domain/task.js';

/** Proof that a worker holds a task: every worker write carries it, and storage rejects stale tokens. */
export interface LeaseFence {
  taskId: string;
  leaseToken: string;
}

/** Fields of a task that may change besides `status`. */
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
}

export interface AcquireLeaseResult {
  /** The task after the claim: `processing`, holding the new token, `attempts` incremented. */
  task: TaskRecord;
  /** Status before the claim. */
  previousStatus: TaskStatus;
  /** True when the task was `processing` under another (expired or released) lease: a recovery. */
  recovered: boolean;
}

export type ContentValue = Tutorial | Resources | Quiz;

export interface EventQuery {
  /** Only this task's events. */
  taskId?: string;
  /** Only events of this user's tasks. */
  userId?: string;
  /** Only events with `seq` greater than this. Default: 0. */
  after?: number;
  /** Most events returned. Default: 1000. */
  limit?: number;
}

/**
 * Durable state of tasks, roadmaps, content items and the event log.
 *
 * Contract (checked by `runStorageConformance` from `@roadmap/core/testing`):
 * - every status change is one compare-and-set on the current status, never read-then-write;
 * - writes that carry a {@link LeaseFence} succeed only while the task is `processing` under that token;
 * - `appendEvent` assigns one strictly increasing `seq` across the whole log;
 * - values returned are copies: mutating them never changes what is stored.
 */
export interface Storage {
  readonly specificationVersion: 'v1';

  /** Inserts a task; when `idempotency_key` is set and (user, key) exists, returns that task instead. */
  createTask(record: TaskRecord): Promise<{ task: TaskRecord; created: boolean }>;
  getTask(taskId: string): Promise<TaskRecord | null>;
  listTasks(query: TaskListQuery): Promise<TaskListResult>;
  /** Compare-and-set status change; `null` when the task is missing or the condition failed. */
  transitionTask(taskId: string, change: StatusChange): Promise<TaskRecord | null>;
  /** Fenced update of non-status fields by the lease holder; `null` when the fence failed. */
  updateTask(fence: LeaseFence, patch: TaskPatch): Promise<TaskRecord | null>;

  /**
   * Takes the task for a worker: succeeds when the task is `pending`, or `processing` with no live lease
   * (`lease_token` null or `lease_expires_at <= now`). Sets status `processing`, the token and expiry, and
   * increments `attempts`. `null` when the task is missing, terminal, or held by a live lease.
   */
  acquireLease(
    taskId: string,
    lease: { token: string; now: number; expiresAt: number; updatedAt: string },
  ): Promise<AcquireLeaseResult | null>;
  /** Extends the holder's lease; false when the fence failed (lease taken over, task cancelled). */
  renewLease(fence: LeaseFence, expiresAt: number): Promise<boolean>;
  /** Gives the task up without changing its status, so another worker can claim it at once. */
  releaseLease(fence: LeaseFence): Promise<boolean>;
  /** `processing` tasks with no live lease at `now`: their worker died or gave them up. */
  listOrphanedTasks(now: number): Promise<TaskRecord[]>;

  /** Stores a step's result under `key` (fenced). */
  saveCheckpoint(fence: LeaseFence, key: string, value: unknown): Promise<boolean>;
  getCheckpoints(taskId: string): Promise<Record<string, unknown>>;

  /**
   * Stores the roadmap's framework (fenced) and plans one `pending` content item per concept × kind that does
   * not exist yet. Concept `*_status` fields of the argument are ignored: they are derived from the items.
   */
  saveRoadmap(fence: LeaseFence, roadmap: Roadmap): Promise<boolean>;
  /** The roadmap with each concept's `*_status` read from its content items. */
  getRoadmap(roadmapId: string): Promise<Roadmap | null>;
  /** A user's roadmaps, newest first. */
  listRoadmaps(userId: string): Promise<Roadmap[]>;

  /**
   * Marks an item `generating` or `failed` (fenced). `taskPatch` (e.g. the new progress) is applied to the task in
   * the same atomic write.
   */
  setItemStatus(
    fence: LeaseFence,
    item: { roadmapId: string; conceptId: string; kind: ContentKind },
    status: 'generating' | 'failed',
    error?: string,
    taskPatch?: TaskPatch,
  ): Promise<boolean>;
  /** Stores a finished item as `completed` (fenced), applying `taskPatch` to the task in the same atomic write. */
  saveItem(
    fence: LeaseFence,
    item: { roadmapId: string; conceptId: string; kind: ContentKind; content: ContentValue },
    taskPatch?: TaskPatch,
  ): Promise<boolean>;
  /**
   * Puts items back to `pending` for a retry: those of the roadmap in `statuses`, optionally only one concept
   * and kind. Returns how many changed. Not fenced: callers first move the task out of `processing` or own it.
   */
  resetItems(
    roadmapId: string,
    filter: { statuses: readonly ItemStatus[]; conceptId?: string; kind?: ContentKind },
  ): Promise<number>;
  /** Items of a roadmap (optionally one concept), ordered by concept then kind as planned. */
  listItems(roadmapId: string, conceptId?: string): Promise<ContentItem[]>;

  /** Appends to the durable log, assigning the next `seq`. With a fence, `null` when the fence failed. */
  appendEvent(event: NewRoadmapEvent, fence?: LeaseFence): Promise<RoadmapEvent | null>;
  /** Events in `seq` order. */
  listEvents(query: EventQuery): Promise<RoadmapEvent[]>;

  /**
   * Inserts the cover (status `not_started`, `retry_count` 0, everything else null) unless the roadmap has one;
   * returns the stored cover either way.
   */
  ensureCover(cover: Pick<CoverRecord, 'roadmap_id' | 'user_id' | 'task_id' | 'created_at'>): Promise<CoverRecord>;
  getCover(roadmapId: string): Promise<CoverRecord | null>;
  /** The covers that exist among `roadmapIds` (any order; missing ids are left out). */
  getCovers(roadmapIds: readonly string[]): Promise<CoverRecord[]>;
  /** Compare-and-set on the cover's status; `null` when it is missing or the condition failed. */
  transitionCover(roadmapId: string, change: CoverChange): Promise<CoverRecord | null>;
  /**
   * Covers a sweeper should act on at `now`: `failed` ones whose `next_attempt_at <= now`, and `pending` or
   * `generating` ones not updated since `staleBefore` (ISO time; their generator died). Oldest first, at most `limit`.
   */
  listDueCovers(query: { now: number; staleBefore: string; limit: number }): Promise<CoverRecord[]>;
}
