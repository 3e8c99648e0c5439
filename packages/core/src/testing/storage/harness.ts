import { afterEach, beforeEach, expect } from 'vitest';
import type { ContentItem, ContentKind, Roadmap } from '../../domain/schemas.js';
import type { TaskRecord } from '../../domain/task.js';
import { isoTime } from '../../shared/clock.js';
import type { CheckpointStore } from '../../storage/checkpointStore.js';
import type { Storage } from '../../storage/storage.js';
import {
  type AcquireLeaseResult,
  isUserAtLimit,
  type LeaseFence,
  type TaskStore,
  type UserAtLimit,
} from '../../storage/taskStore.js';
import { createManualClock, type ManualClock } from '../manualClock.js';
import { makeRoadmap, makeTaskRecord, type RoadmapShape } from './fixtures.js';

export interface StorageFixture<Store = Storage> {
  /** The storage under test, empty. */
  storage: Store;
  /** Runs after each test: close connections, drop the schema. */
  cleanup?: () => Promise<void> | void;
  /**
   * Counts the rows of every table of the storage that name one of `ids` (in a `user_id`, `task_id`, `roadmap_id` or
   * `blob_key` column), as `{ table: rows }` with tables that have none left out: the data lifecycle suite checks
   * that erasing a user leaves nothing of them anywhere, tables added later included. SQL adapters read their
   * schema's catalogue; a store without tables omits it (the suite then checks through every query).
   */
  residue?: (ids: ResidueQuery) => Promise<Record<string, number>>;
}

/** What {@link StorageFixture.residue} looks for. */
export interface ResidueQuery {
  userIds: readonly string[];
  taskIds: readonly string[];
  roadmapIds: readonly string[];
  blobKeys: readonly string[];
}

export interface StorageConformanceContext {
  /** The test's manual clock, for adapters that read time themselves (e.g. `createMemoryStorage({ now })`). */
  clock: ManualClock;
}

/**
 * Called before every test; must return an empty storage (or one that `cleanup` of the previous test emptied).
 * `Store` is what the suite needs: the whole `Storage` for `runStorageConformance`, one part (with `TaskStore` for
 * the fenced parts) for a part's suite.
 */
export type StorageFactory<Store = Storage> = (
  context: StorageConformanceContext,
) => StorageFixture<Store> | Promise<StorageFixture<Store>>;

/** The storage and clock of the running test, fresh for each test. */
export interface StorageHarness<Store> {
  readonly storage: Store;
  readonly clock: ManualClock;
  /** The fixture's {@link StorageFixture.residue}, when it has one. */
  readonly residue: StorageFixture['residue'];
}

/**
 * Registers `beforeEach` / `afterEach` hooks in the current `describe` that create a storage (and a manual clock)
 * for every test and clean it up after; read both through the returned harness while a test runs.
 */
export function useStorage<Store>(createStorage: StorageFactory<Store>): StorageHarness<Store> {
  let current:
    | {
        storage: Store;
        clock: ManualClock;
        cleanup?: () => Promise<void> | void;
        residue: StorageFixture['residue'];
      }
    | undefined;
  beforeEach(async () => {
    const clock = createManualClock();
    const fixture = await createStorage({ clock });
    current = { storage: fixture.storage, clock, cleanup: fixture.cleanup, residue: fixture.residue };
  });
  afterEach(async () => {
    const finished = current;
    current = undefined;
    await finished?.cleanup?.();
  });
  const running = () => {
    if (!current) throw new Error('The storage harness is only available while a test runs.');
    return current;
  };
  return {
    get storage() {
      return running().storage;
    },
    get clock() {
      return running().clock;
    },
    get residue() {
      return running().residue;
    },
  };
}

/** `value`, or a thrown error naming `what` when it is null or undefined. */
export function present<Value>(value: Value | null | undefined, what: string): Value {
  if (value === null || value === undefined) throw new Error(`Expected ${what}, got ${String(value)}`);
  return value;
}

/** An `acquireLease` answer that must be a claim (not `null`, not {@link UserAtLimit}). */
export function claimed(value: AcquireLeaseResult | UserAtLimit | null, what: string): AcquireLeaseResult {
  if (value === null || isUserAtLimit(value)) throw new Error(`Expected ${what}, got ${JSON.stringify(value)}`);
  return value;
}

/** How long the suites' leases last. */
export const leaseMs = 30_000;

/** Steps on tasks and leases the suites of every fenced part start from. */
export function taskSteps(harness: StorageHarness<TaskStore>) {
  const lease = (token: string, now = harness.clock.now(), durationMs = leaseMs) => ({
    token,
    now,
    expiresAt: now + durationMs,
    updatedAt: isoTime(now),
  });

  const createTask = async (overrides: Partial<TaskRecord> = {}): Promise<TaskRecord> => {
    const result = await harness.storage.createTask(makeTaskRecord(overrides));
    expect(result.created).toBe(true);
    return result.task;
  };

  /** A `processing` task held by `token`. */
  const startTask = async (overrides: Partial<TaskRecord> = {}, token = 'lease-1') => {
    const created = await createTask(overrides);
    const acquired = claimed(await harness.storage.acquireLease(created.task_id, lease(token)), 'a lease');
    const fence: LeaseFence = { taskId: created.task_id, leaseToken: token };
    return { task: acquired.task, fence };
  };

  /** Cancels the task the way the API does: a compare-and-set without a lease token. */
  const cancel = async (taskId: string) =>
    (await harness.storage.transitionTask(taskId, { from: ['pending', 'processing'], to: 'cancelled' }))?.task ?? null;

  return { lease, createTask, startTask, cancel };
}

/** Steps on roadmaps and items, for the suites of the checkpoint part. */
export function roadmapSteps(harness: StorageHarness<TaskStore & CheckpointStore>) {
  const { startTask } = taskSteps(harness);

  /** A `processing` task that saved a roadmap (2 concepts by default, 3 items each). */
  const startWithRoadmap = async (shape: RoadmapShape = { stages: 1, conceptsPerModule: 2 }) => {
    const { task, fence } = await startTask();
    const roadmap = makeRoadmap({ roadmap_id: task.roadmap_id, user_id: task.user_id }, shape);
    expect(await harness.storage.saveRoadmap(fence, roadmap)).toBe(true);
    return { task, fence, roadmap };
  };

  const item = (roadmap: Roadmap, conceptId: string, kind: ContentKind) => ({
    roadmapId: roadmap.roadmap_id,
    conceptId,
    kind,
  });

  const statusesOf = (items: ContentItem[]) =>
    items.map((entry) => `${entry.concept_id}/${entry.kind}:${entry.status}`);

  return { startWithRoadmap, item, statusesOf };
}
