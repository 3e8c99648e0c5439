import { withConceptStatuses } from '../domain/conceptStatus.js';
import type { CoverRecord } from '../domain/coverRecord.js';
import type { NewRoadmapEvent, RoadmapEvent } from '../domain/events.js';
import { itemErrorFor } from '../domain/itemError.js';
import { planItems } from '../domain/itemPlan.js';
import type { ContentItem, ContentKind, Roadmap } from '../domain/schemas.js';
import { fencedStatuses, isTerminalStatus, type TaskRecord } from '../domain/task.js';
import { emptyTaskCounts, totalOf } from '../domain/taskCounts.js';
import { addUsage, roundUsd } from '../domain/usage.js';
import type { RoadmapSummary } from '../domain/wire.js';
import { isoTime } from '../shared/clock.js';
import { type BudgetCharge, type BudgetReservation, budgetFit } from './budgetStore.js';
import type { ContentValue, ItemVersion } from './checkpointStore.js';
import {
  type BlobDeletion,
  contentCheckpointPrefix,
  type DeletedRemains,
  type DeletedRows,
} from './dataLifecycleStore.js';
import type { EventPruneOptions, EventQuery } from './eventStore.js';
import { roadmapIdTaken } from './roadmapIdTaken.js';
import type { Storage } from './storage.js';
import type {
  AcquireLeaseResult,
  LeaseFence,
  StatusChange,
  SweepLease,
  TaskListQuery,
  TaskListResult,
  TaskPatch,
  UserAtLimit,
} from './taskStore.js';

export interface MemoryStorageOptions {
  /** Clock reading used for `updated_at` of content items. Default: `Date.now`. */
  now?: () => number;
}

/** Deep copy of plain JSON-like data (what storage holds): several times faster than `structuredClone`. */
function copy<Value>(value: Value): Value {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copy) as Value;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value)) result[key] = copy((value as Record<string, unknown>)[key]);
  return result as Value;
}

/**
 * A deep copy that can never change (every object frozen): what is stored once and never written again (events,
 * an item's content) is handed out as it is, without a copy per read. Writing to it throws.
 */
function frozenCopy<Value>(value: Value): Value {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy)) as Value;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value)) result[key] = frozenCopy((value as Record<string, unknown>)[key]);
  return Object.freeze(result) as Value;
}

/** The fields of a task whose values are objects: {@link copyTask} copies each of them. */
type TaskObjectField = {
  [Key in keyof TaskRecord]: NonNullable<TaskRecord[Key]> extends object ? Key : never;
}[keyof TaskRecord];
const copiedTaskFields = ['progress', 'failed_concepts', 'usage', 'request'] as const;
// Fails to compile when a task field holding an object is added without a copy in `copyTask`.
const everyTaskObjectFieldCopied: [Exclude<TaskObjectField, (typeof copiedTaskFields)[number]>] extends [never]
  ? true
  : never = true;
void everyTaskObjectFieldCopied;

/**
 * A deep copy of a task, written for its shape: one spread and a copy of each object field, where the generic
 * {@link copy} walked every key (the memory storage's costliest step in a task listing, P6).
 */
function copyTask(task: TaskRecord): TaskRecord {
  return {
    ...task,
    progress: { ...task.progress },
    failed_concepts: { ...task.failed_concepts, concept_ids: [...task.failed_concepts.concept_ids] },
    usage: { ...task.usage },
    request: copy(task.request),
  };
}

function itemKey(roadmapId: string, conceptId: string, kind: ContentKind): string {
  return `${roadmapId}\u0000${conceptId}\u0000${kind}`;
}

/** Applies the fields a patch sets ({@link TaskPatch}: `undefined` leaves a field as it is). */
function definedFields(patch: TaskPatch | undefined): Partial<TaskRecord> {
  return Object.fromEntries(Object.entries(patch ?? {}).filter(([, value]) => value !== undefined));
}

/** Newest first: `created_at` descending, then id descending. */
function newerFirst(createdA: string, idA: string, createdB: string, idB: string): number {
  if (createdA !== createdB) return createdA < createdB ? 1 : -1;
  return idA < idB ? 1 : idA > idB ? -1 : 0;
}

/**
 * `Storage` in process memory. Every method completes its change synchronously before its promise settles,
 * so compare-and-set and fencing hold under any interleaving of concurrent calls. Data is lost with the
 * process: use `@roadmap/sqlite` or `@roadmap/postgres` to survive restarts.
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): Storage {
  const now = options.now ?? Date.now;
  const tasks = new Map<string, TaskRecord>();
  const idempotency = new Map<string, string>();
  const sweepLeases = new Map<string, Pick<SweepLease, 'holder' | 'expiresAt'>>();
  const checkpoints = new Map<string, Map<string, unknown>>();
  const roadmaps = new Map<string, Roadmap>();
  /** Items per roadmap, in planned order. */
  const items = new Map<string, Map<string, ContentItem>>();
  /** Versions of items' content, by item key, ordered by version. */
  const versions = new Map<string, ItemVersion[]>();
  const events: RoadmapEvent[] = [];
  const covers = new Map<string, CoverRecord>();
  /** Which task holds each roadmap id: ids are unique across tasks and users. */
  const roadmapHolders = new Map<string, string>();
  /** The budget ledger: every reservation, `spent_usd` null while open. */
  const reservations = new Map<string, BudgetReservation & { spent_usd: number | null }>();
  /** Blobs to delete from the blob store, by key, in the order queued. */
  const blobDeletions = new Map<string, BlobDeletion>();
  let lastSeq = 0;

  const storeEvent = (event: NewRoadmapEvent): RoadmapEvent => {
    lastSeq += 1;
    const stored = frozenCopy({ ...event, seq: lastSeq }) as RoadmapEvent;
    events.push(stored);
    return stored;
  };

  const holds = (fence: LeaseFence): TaskRecord | undefined => {
    const task = tasks.get(fence.taskId);
    if (!task || !fencedStatuses.includes(task.status) || task.lease_token !== fence.leaseToken) return undefined;
    return task;
  };

  /** Applies the fields a patch sets; a key whose value is `undefined` is left alone (as the SQL adapters do). */
  const applyPatch = <Target extends object>(target: Target, patch: Partial<Target> | undefined) => {
    if (!patch) return;
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) (target as Record<string, unknown>)[key] = copy(value);
    }
  };

  /** Moves a task to a new roadmap id; throws (changing nothing) when another task holds that id. */
  const claimRoadmapId = (task: TaskRecord, roadmapId: string | undefined) => {
    if (roadmapId === undefined || roadmapId === task.roadmap_id) return;
    if (roadmapHolders.has(roadmapId)) throw roadmapIdTaken(roadmapId);
    roadmapHolders.delete(task.roadmap_id);
    roadmapHolders.set(roadmapId, task.task_id);
  };

  /** What the reservations `matching` charge: settled at their cost, open at their worst case. */
  const chargeOf = (matching: (reservation: BudgetReservation) => boolean): BudgetCharge => {
    let spent = 0;
    let reserved = 0;
    for (const reservation of reservations.values()) {
      if (!matching(reservation)) continue;
      if (reservation.spent_usd === null) reserved += reservation.reserved_usd;
      else spent += reservation.spent_usd;
    }
    return { spent_usd: roundUsd(spent), reserved_usd: roundUsd(reserved) };
  };

  const findItem = (roadmapId: string, conceptId: string, kind: ContentKind) =>
    items.get(roadmapId)?.get(itemKey(roadmapId, conceptId, kind));

  const withStatuses = (roadmap: Roadmap): Roadmap =>
    withConceptStatuses(copy(roadmap), items.get(roadmap.roadmap_id)?.values() ?? []);

  /** Deletes the events `matching` (at most `limit`), keeping the log in `seq` order. Returns how many. */
  const deleteEvents = (matching: (event: RoadmapEvent) => boolean, limit = Number.POSITIVE_INFINITY): number => {
    let deleted = 0;
    const kept = events.filter((event) => {
      if (deleted >= limit || !matching(event)) return true;
      deleted += 1;
      return false;
    });
    if (deleted > 0) events.splice(0, events.length, ...kept);
    return deleted;
  };

  /** Deletes a roadmap with its items and their versions; returns how many items went. */
  const deleteRoadmap = (roadmapId: string): number => {
    const planned = items.get(roadmapId)?.size ?? 0;
    roadmaps.delete(roadmapId);
    items.delete(roadmapId);
    const prefix = `${roadmapId}\u0000`;
    for (const key of versions.keys()) if (key.startsWith(prefix)) versions.delete(key);
    return planned;
  };

  /** Deletes a cover, queueing its blob. */
  const deleteCover = (cover: CoverRecord): void => {
    covers.delete(cover.roadmap_id);
    if (cover.blob_key !== null)
      blobDeletions.set(cover.blob_key, { blob_key: cover.blob_key, user_id: cover.user_id });
  };

  /** Whether checkpoints of the task may be pruned: it is terminal and its roadmap is stored. */
  const prunable = (taskId: string): boolean => {
    const task = tasks.get(taskId);
    return task !== undefined && isTerminalStatus(task.status) && roadmaps.has(task.roadmap_id);
  };

  return {
    specificationVersion: 'v1',

    async deleteTask(taskId, options = {}) {
      const task = tasks.get(taskId);
      if (!task) return null;
      const deleted: DeletedRows = { tasks: 1, roadmaps: 0, items: 0, events: 0, covers: 0 };
      const roadmap = roadmaps.get(task.roadmap_id);
      if (roadmap && roadmap.user_id === task.user_id) {
        deleted.roadmaps = 1;
        deleted.items = deleteRoadmap(task.roadmap_id);
      }
      for (const cover of [...covers.values()]) {
        if (cover.task_id !== taskId && !(cover.roadmap_id === task.roadmap_id && cover.user_id === task.user_id)) {
          continue;
        }
        deleteCover(cover);
        deleted.covers += 1;
      }
      checkpoints.delete(taskId);
      // Budget reservations stay: they are what the user's budget period was charged (see DataLifecycleStore).
      deleted.events = deleteEvents((event) => event.task_id === taskId);
      tasks.delete(taskId);
      if (roadmapHolders.get(task.roadmap_id) === taskId) roadmapHolders.delete(task.roadmap_id);
      if (task.idempotency_key !== null) idempotency.delete(`${task.user_id}\u0000${task.idempotency_key}`);
      const event = options.event ? storeEvent(options.event(copy(task))) : null;
      return { task: copy(task), deleted, event };
    },

    async listUserTaskIds({ userId, afterTaskId, limit }) {
      return [...tasks.values()]
        .filter((task) => task.user_id === userId && (afterTaskId === undefined || task.task_id > afterTaskId))
        .map((task) => task.task_id)
        .sort()
        .slice(0, Math.max(0, limit));
    },

    async deleteUserRemains(userId, limit) {
      const held = new Set<string>();
      const heldRoadmaps = new Set<string>();
      for (const task of tasks.values()) {
        if (task.user_id !== userId) continue;
        held.add(task.task_id);
        heldRoadmaps.add(task.roadmap_id);
      }
      const deleted: DeletedRemains = { tasks: 0, roadmaps: 0, items: 0, events: 0, covers: 0, reservations: 0 };
      deleted.events = deleteEvents((event) => event.user_id === userId && !held.has(event.task_id), limit);
      for (const cover of [...covers.values()]) {
        if (deleted.covers >= limit) break;
        if (cover.user_id !== userId || heldRoadmaps.has(cover.roadmap_id)) continue;
        deleteCover(cover);
        deleted.covers += 1;
      }
      for (const roadmap of [...roadmaps.values()]) {
        if (deleted.roadmaps >= limit) break;
        if (roadmap.user_id !== userId || heldRoadmaps.has(roadmap.roadmap_id)) continue;
        deleted.items += deleteRoadmap(roadmap.roadmap_id);
        deleted.roadmaps += 1;
      }
      for (const [id, reservation] of reservations) {
        if (deleted.reservations >= limit) break;
        if (reservation.user_id !== userId || held.has(reservation.task_id)) continue;
        reservations.delete(id);
        deleted.reservations += 1;
      }
      return deleted;
    },

    async listBlobDeletions({ userId, limit }) {
      return [...blobDeletions.values()]
        .filter((entry) => userId === undefined || entry.user_id === userId)
        .slice(0, Math.max(0, limit))
        .map(copy);
    },

    async clearBlobDeletions(blobKeys) {
      for (const key of blobKeys) blobDeletions.delete(key);
    },

    async pruneCheckpoints(taskIds) {
      let deleted = 0;
      for (const taskId of new Set(taskIds)) {
        const saved = checkpoints.get(taskId);
        if (!saved || !prunable(taskId)) continue;
        for (const key of [...saved.keys()]) {
          if (key.startsWith(contentCheckpointPrefix)) continue;
          saved.delete(key);
          deleted += 1;
        }
        if (saved.size === 0) checkpoints.delete(taskId);
      }
      return deleted;
    },

    async listPrunableCheckpointTasks({ afterTaskId, limit }) {
      const page: string[] = [];
      for (const [taskId, saved] of checkpoints) {
        if (afterTaskId !== undefined && taskId <= afterTaskId) continue;
        if (!prunable(taskId) || [...saved.keys()].every((key) => key.startsWith(contentCheckpointPrefix))) continue;
        page.push(taskId);
      }
      return page.sort().slice(0, Math.max(0, limit));
    },

    async createTask(record, event) {
      if (tasks.has(record.task_id)) throw new Error(`Task ${record.task_id} already exists`);
      const key = `${record.user_id}\u0000${record.idempotency_key}`;
      if (record.idempotency_key !== null) {
        const existingId = idempotency.get(key);
        const existing = existingId === undefined ? undefined : tasks.get(existingId);
        if (existing) return { task: copyTask(existing), created: false, event: null };
      }
      if (roadmapHolders.has(record.roadmap_id)) throw roadmapIdTaken(record.roadmap_id);
      if (record.idempotency_key !== null) idempotency.set(key, record.task_id);
      const stored = copyTask(record);
      tasks.set(record.task_id, stored);
      roadmapHolders.set(record.roadmap_id, record.task_id);
      return { task: copyTask(stored), created: true, event: event ? storeEvent(event(copyTask(stored))) : null };
    },

    async getTask(taskId) {
      const task = tasks.get(taskId);
      return task ? copyTask(task) : null;
    },

    async sumUsage({ userId, createdFrom, createdBefore }) {
      const totals = { calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
      for (const task of tasks.values()) {
        if (task.user_id !== userId || task.created_at < createdFrom || task.created_at >= createdBefore) continue;
        totals.calls += task.usage.calls;
        totals.input_tokens += task.usage.input_tokens;
        totals.output_tokens += task.usage.output_tokens;
        totals.cost_usd += task.usage.cost_usd ?? 0;
      }
      return { ...totals, cost_usd: roundUsd(totals.cost_usd) };
    },

    async reserveBudget(fence, reservation, limits) {
      if (!holds(fence) || fence.taskId !== reservation.task_id) return null;
      if (limits.user_usd !== null) {
        const charge = chargeOf(
          (other) => other.user_id === reservation.user_id && other.period_start === reservation.period_start,
        );
        const user = budgetFit(limits.user_usd, charge, reservation.reserved_usd);
        if (!user.fits) return { reserved: false, scope: 'user', available_usd: user.availableUsd };
      }
      if (limits.task_usd !== null) {
        const charge = chargeOf((other) => other.task_id === reservation.task_id);
        const task = budgetFit(limits.task_usd, charge, reservation.reserved_usd);
        if (!task.fits) return { reserved: false, scope: 'task', available_usd: task.availableUsd };
      }
      reservations.set(reservation.reservation_id, { ...reservation, spent_usd: null });
      return { reserved: true };
    },

    async settleBudget(reservationId, spentUsd) {
      const reservation = reservations.get(reservationId);
      if (!reservation || reservation.spent_usd !== null) return false;
      reservation.spent_usd = spentUsd;
      return true;
    },

    async closeOpenReservations(taskId) {
      let closed = 0;
      for (const reservation of reservations.values()) {
        if (reservation.task_id !== taskId || reservation.spent_usd !== null) continue;
        reservation.spent_usd = reservation.reserved_usd;
        closed += 1;
      }
      return closed;
    },

    async userBudgetCharge(userId, periodStart) {
      return chargeOf((reservation) => reservation.user_id === userId && reservation.period_start === periodStart);
    },

    async taskBudgetCharge(taskId) {
      return chargeOf((reservation) => reservation.task_id === taskId);
    },

    async addTaskUsage(taskId, usage) {
      const task = tasks.get(taskId);
      if (!task) return null;
      task.usage = addUsage(task.usage, usage);
      return copyTask(task);
    },

    async listTasks(query: TaskListQuery): Promise<TaskListResult> {
      const counts = emptyTaskCounts();
      const mine: TaskRecord[] = [];
      for (const task of tasks.values()) {
        if (query.userId !== undefined && task.user_id !== query.userId) continue;
        if (query.roadmapId !== undefined && task.roadmap_id !== query.roadmapId) continue;
        counts[task.status] += 1;
        if (query.statuses && !query.statuses.includes(task.status)) continue;
        mine.push(task);
      }
      mine.sort((a, b) => newerFirst(a.created_at, a.task_id, b.created_at, b.task_id));
      const offset = query.offset ?? 0;
      const limit = query.limit ?? 50;
      return {
        tasks: mine.slice(offset, offset + limit).map(copyTask),
        total: totalOf(counts, query.statuses),
        counts,
      };
    },

    async transitionTask(taskId, change: StatusChange) {
      const task = tasks.get(taskId);
      if (!task || !change.from.includes(task.status)) return null;
      if (change.leaseToken !== undefined && task.lease_token !== change.leaseToken) return null;
      const event = change.event?.(copy({ ...task, status: change.to, ...definedFields(change.patch) }));
      task.status = change.to;
      applyPatch(task, change.patch);
      return { task: copyTask(task), event: event ? storeEvent(event) : null };
    },

    async updateTask(fence, patch) {
      const task = holds(fence);
      if (!task) return null;
      claimRoadmapId(task, patch.roadmap_id);
      applyPatch(task, patch);
      return copyTask(task);
    },

    async acquireLease(taskId, lease): Promise<AcquireLeaseResult | UserAtLimit | null> {
      const task = tasks.get(taskId);
      if (!task) return null;
      const previousStatus = task.status;
      if (previousStatus === 'processing') {
        const live = task.lease_token !== null && task.lease_expires_at !== null && task.lease_expires_at > lease.now;
        if (live) return null;
      } else if (previousStatus !== 'pending') {
        return null;
      }
      if (lease.userLimit !== undefined) {
        let processing = 0;
        for (const other of tasks.values()) {
          const live = other.lease_expires_at !== null && other.lease_expires_at > lease.now;
          if (other.user_id === task.user_id && other.task_id !== taskId && other.status === 'processing' && live) {
            processing += 1;
          }
        }
        if (processing >= lease.userLimit) return { userAtLimit: true };
      }
      task.status = 'processing';
      task.lease_token = lease.token;
      task.lease_expires_at = lease.expiresAt;
      task.attempts += 1;
      task.updated_at = lease.updatedAt;
      return { task: copyTask(task), previousStatus, recovered: previousStatus === 'processing' };
    },

    async renewLease(fence, expiresAt) {
      const task = holds(fence);
      if (!task) return false;
      task.lease_expires_at = expiresAt;
      return true;
    },

    async releaseLease(fence) {
      const task = holds(fence);
      if (!task) return false;
      task.lease_token = null;
      task.lease_expires_at = null;
      return true;
    },

    async listRecoverableTasks(query) {
      const page: TaskRecord[] = [];
      for (const task of tasks.values()) {
        if (query.afterTaskId !== undefined && task.task_id <= query.afterTaskId) continue;
        const recoverable =
          task.status === 'pending'
            ? query.pendingUpdatedBefore === null || task.updated_at <= query.pendingUpdatedBefore
            : task.status === 'processing' &&
              (task.lease_token === null || task.lease_expires_at === null || task.lease_expires_at <= query.now);
        if (recoverable) page.push(task);
      }
      page.sort((a, b) => (a.task_id < b.task_id ? -1 : a.task_id > b.task_id ? 1 : 0));
      return page.slice(0, Math.max(0, query.limit)).map(copyTask);
    },

    async listPausedTasks(query) {
      const page: TaskRecord[] = [];
      for (const task of tasks.values()) {
        if (query.afterTaskId !== undefined && task.task_id <= query.afterTaskId) continue;
        if (task.status === 'paused' && task.pause_reason === query.pauseReason) page.push(task);
      }
      page.sort((a, b) => (a.task_id < b.task_id ? -1 : a.task_id > b.task_id ? 1 : 0));
      return page.slice(0, Math.max(0, query.limit)).map(copyTask);
    },

    async acquireSweepLease(lease) {
      const held = sweepLeases.get(lease.name);
      if (held && held.holder !== lease.holder && held.expiresAt > lease.now) return false;
      sweepLeases.set(lease.name, { holder: lease.holder, expiresAt: lease.expiresAt });
      return true;
    },

    async releaseSweepLease(name, holder) {
      if (sweepLeases.get(name)?.holder === holder) sweepLeases.delete(name);
    },

    async saveCheckpoint(fence, key, value) {
      if (!holds(fence)) return false;
      let saved = checkpoints.get(fence.taskId);
      if (!saved) {
        saved = new Map();
        checkpoints.set(fence.taskId, saved);
      }
      saved.set(key, copy(value));
      return true;
    },

    async getCheckpoints(taskId) {
      return Object.fromEntries(
        [...(checkpoints.get(taskId) ?? new Map<string, unknown>())].map(([k, v]) => [k, copy(v)]),
      );
    },

    async saveRoadmap(fence, roadmap) {
      const task = holds(fence);
      if (!task) return false;
      const existing = roadmaps.get(roadmap.roadmap_id);
      if (
        roadmap.roadmap_id !== task.roadmap_id ||
        roadmap.user_id !== task.user_id ||
        (existing && existing.user_id !== task.user_id)
      ) {
        throw roadmapIdTaken(roadmap.roadmap_id);
      }
      roadmaps.set(roadmap.roadmap_id, copy(roadmap));
      let planned = items.get(roadmap.roadmap_id);
      if (!planned) {
        planned = new Map();
        items.set(roadmap.roadmap_id, planned);
      }
      const updatedAt = isoTime(now());
      for (const { conceptId, kind } of planItems(roadmap)) {
        const key = itemKey(roadmap.roadmap_id, conceptId, kind);
        if (planned.has(key)) continue;
        planned.set(key, {
          roadmap_id: roadmap.roadmap_id,
          concept_id: conceptId,
          kind,
          status: 'pending',
          content: null,
          error: null,
          updated_at: updatedAt,
        });
      }
      return true;
    },

    async getRoadmap(roadmapId) {
      const roadmap = roadmaps.get(roadmapId);
      return roadmap ? withStatuses(roadmap) : null;
    },

    async listRoadmaps(userId) {
      return [...roadmaps.values()]
        .filter((roadmap) => roadmap.user_id === userId)
        .sort((a, b) => newerFirst(a.created_at, a.roadmap_id, b.created_at, b.roadmap_id))
        .map(withStatuses);
    },

    async listRoadmapSummaries({ userId, limit, after }) {
      const page = [...roadmaps.values()]
        .filter(
          (roadmap) =>
            roadmap.user_id === userId &&
            (after === undefined ||
              newerFirst(after.created_at, after.roadmap_id, roadmap.created_at, roadmap.roadmap_id) < 0),
        )
        .sort((a, b) => newerFirst(a.created_at, a.roadmap_id, b.created_at, b.roadmap_id))
        .slice(0, limit);
      return page.map((roadmap): RoadmapSummary => {
        const concepts = new Map<string, boolean>();
        for (const item of items.get(roadmap.roadmap_id)?.values() ?? []) {
          concepts.set(item.concept_id, (concepts.get(item.concept_id) ?? true) && item.status === 'completed');
        }
        const holder = roadmapHolders.get(roadmap.roadmap_id);
        const task = holder === undefined ? undefined : tasks.get(holder);
        return {
          roadmap_id: roadmap.roadmap_id,
          title: roadmap.title,
          total_concepts: concepts.size,
          completed_concepts: [...concepts.values()].filter(Boolean).length,
          task_id: task?.task_id ?? null,
          task_status: task?.status ?? null,
          created_at: roadmap.created_at,
        };
      });
    },

    async setItemStatus(fence, item, status, error, taskPatch, event) {
      const task = holds(fence);
      if (!task) return false;
      const stored = findItem(item.roadmapId, item.conceptId, item.kind);
      if (!stored) return false;
      applyPatch(task, taskPatch);
      stored.status = status;
      stored.error = itemErrorFor(status, error);
      stored.updated_at = isoTime(now());
      return event ? storeEvent(event) : true;
    },

    async saveItem(
      fence,
      item: { roadmapId: string; conceptId: string; kind: ContentKind; content: ContentValue },
      taskPatch?: TaskPatch,
      event?: NewRoadmapEvent,
    ) {
      const task = holds(fence);
      if (!task) return false;
      const stored = findItem(item.roadmapId, item.conceptId, item.kind);
      if (!stored) return false;
      applyPatch(task, taskPatch);
      stored.status = 'completed';
      stored.content = frozenCopy(item.content);
      stored.error = null;
      stored.updated_at = isoTime(now());
      return event ? storeEvent(event) : true;
    },

    async resetItems(roadmapId, filter, outcome) {
      let changed = 0;
      for (const item of items.get(roadmapId)?.values() ?? []) {
        if (!filter.statuses.includes(item.status)) continue;
        if (filter.conceptId !== undefined && item.concept_id !== filter.conceptId) continue;
        if (filter.kind !== undefined && item.kind !== filter.kind) continue;
        item.status = outcome?.status ?? 'pending';
        item.error = outcome?.error ?? null;
        item.updated_at = isoTime(now());
        changed += 1;
      }
      return changed;
    },

    async listItems(roadmapId, conceptId) {
      const all = [...(items.get(roadmapId)?.values() ?? [])];
      // Content is frozen when stored: a shallow copy keeps the stored item safe from the caller.
      return all
        .filter((item) => conceptId === undefined || item.concept_id === conceptId)
        .map((item) => ({ ...item }));
    },

    async saveItemVersion(version) {
      const key = itemKey(version.roadmap_id, version.concept_id, version.kind);
      const list = (versions.get(key) ?? []).filter((entry) => entry.version !== version.version);
      list.push(copy(version));
      list.sort((a, b) => a.version - b.version);
      versions.set(key, list);
    },

    async listItemVersions(item) {
      return (versions.get(itemKey(item.roadmapId, item.conceptId, item.kind)) ?? []).map(copy);
    },

    async restoreItemContent(item, content) {
      const stored = items.get(item.roadmapId)?.get(itemKey(item.roadmapId, item.conceptId, item.kind));
      if (stored?.status !== 'completed') return false;
      stored.content = frozenCopy(content);
      stored.updated_at = isoTime(now());
      return true;
    },

    async appendEvent(event: NewRoadmapEvent, fence?: LeaseFence) {
      if (fence && !holds(fence)) return null;
      return storeEvent(event);
    },

    async listEvents(query: EventQuery) {
      const after = query.after ?? 0;
      const limit = query.limit ?? 1000;
      const result: RoadmapEvent[] = [];
      // Events are in seq order: binary search the first one after `after`.
      let low = 0;
      let high = events.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((events[middle] as RoadmapEvent).seq <= after) low = middle + 1;
        else high = middle;
      }
      for (let index = low; index < events.length && result.length < limit; index += 1) {
        const event = events[index] as RoadmapEvent;
        if (query.taskId !== undefined && event.task_id !== query.taskId) continue;
        if (query.userId !== undefined && event.user_id !== query.userId) continue;
        result.push(event);
      }
      return result;
    },

    async pruneEvents({ before, limit = 1000, belowSeq }: EventPruneOptions) {
      // Events before the first one stamped at or after `before` (all of them when there is none), or below
      // `belowSeq` when the caller read that bound already.
      const bound =
        belowSeq === undefined
          ? events.findIndex((event) => event.timestamp >= before)
          : events.findIndex((event) => event.seq >= belowSeq);
      const end = bound === -1 ? events.length : bound;
      const kept: RoadmapEvent[] = [];
      let deleted = 0;
      for (let index = 0; index < end; index += 1) {
        const event = events[index] as RoadmapEvent;
        const task = tasks.get(event.task_id);
        if (deleted < limit && (!task || isTerminalStatus(task.status))) deleted += 1;
        else kept.push(event);
      }
      if (deleted > 0) events.splice(0, end, ...kept);
      return deleted;
    },

    async eventLogStart({ before }: { before: string }) {
      return events.find((event) => event.timestamp >= before)?.seq ?? lastSeq + 1;
    },

    async ensureCover(cover) {
      const existing = covers.get(cover.roadmap_id);
      if (existing) return copy(existing);
      const record: CoverRecord = {
        roadmap_id: cover.roadmap_id,
        user_id: cover.user_id,
        task_id: cover.task_id,
        cover_image_url: null,
        status: 'not_started',
        error: null,
        retry_count: 0,
        provider: null,
        attribution: null,
        blob_key: null,
        next_attempt_at: null,
        created_at: cover.created_at,
        updated_at: cover.created_at,
      };
      covers.set(cover.roadmap_id, record);
      return copy(record);
    },

    async getCover(roadmapId) {
      const cover = covers.get(roadmapId);
      return cover ? copy(cover) : null;
    },

    async getCovers(roadmapIds) {
      const found: CoverRecord[] = [];
      for (const roadmapId of new Set(roadmapIds)) {
        const cover = covers.get(roadmapId);
        if (cover) found.push(copy(cover));
      }
      return found;
    },

    async transitionCover(roadmapId, change) {
      const cover = covers.get(roadmapId);
      if (!cover || !change.from.includes(cover.status)) return null;
      cover.status = change.to;
      applyPatch(cover, change.patch);
      return copy(cover);
    },

    async listDueCovers(query) {
      return [...covers.values()]
        .filter(
          (cover) =>
            (cover.status === 'failed' && cover.next_attempt_at !== null && cover.next_attempt_at <= query.now) ||
            ((cover.status === 'pending' || cover.status === 'generating') && cover.updated_at < query.staleBefore),
        )
        .sort((a, b) => (a.updated_at < b.updated_at ? -1 : a.updated_at > b.updated_at ? 1 : 0))
        .slice(0, query.limit)
        .map(copy);
    },
  };
}
