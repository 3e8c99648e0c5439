import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CoverChange, CoverRecord, ImageAttribution } from '../domain/coverRecord.js';
import type { NewRoadmapEvent, RoadmapEvent } from '../domain/events.js';
import {
  type Concept,
  type ContentItem,
  type ContentKind,
  type CoverStatus,
  contentKinds,
  type ItemStatus,
  type Quiz,
  type Resources,
  type Roadmap,
  type Stage,
  type Tutorial,
} from '../domain/schemas.js';
import { emptyProgress, type TaskRecord, type TaskStatus, taskStatuses } from '../domain/task.js';
import { isoTime } from '../shared/clock.js';
import type { LeaseFence, Storage } from '../storage/storage.js';
import { createManualClock, type ManualClock } from './manualClock.js';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures: valid records with deterministic ids and times
// ---------------------------------------------------------------------------------------------------------------

/** Time of the fixtures: 2026-01-01T00:00:00Z, the manual clock's default start. */
export const fixtureEpochMs = Date.UTC(2026, 0, 1);

let fixtureCount = 0;

/** A well-formed UUID v4 made from a number (`00000000-0000-4000-8000-00000000002a` for 42): stable test ids. */
export function fixtureUuid(value: number): string {
  return `00000000-0000-4000-8000-${value.toString(16).padStart(12, '0')}`;
}

/**
 * A valid `pending` task record. Each call takes the next fixture number for its `task_id`, `roadmap_id` and
 * `created_at` (one second apart), so records made later are newer; `overrides` replace any field.
 */
export function makeTaskRecord(overrides: Partial<TaskRecord> = {}): TaskRecord {
  fixtureCount += 1;
  const number = fixtureCount;
  const createdAt = isoTime(fixtureEpochMs + number * 1_000);
  return {
    task_id: fixtureUuid(number),
    user_id: 'user-1',
    roadmap_id: `learn-typescript-${number.toString(16).padStart(8, '0')}`,
    title: 'Learn TypeScript',
    status: 'pending',
    current_step: 'queued',
    progress: { ...emptyProgress },
    error_message: null,
    failed_concepts: { count: 0, concept_ids: [] },
    cancel_reason: null,
    attempts: 0,
    created_at: createdAt,
    updated_at: createdAt,
    completed_at: null,
    request: {
      preferences: { learning_goal: 'Learn TypeScript', available_hours_per_week: 10, current_level: 'beginner' },
    },
    idempotency_key: null,
    lease_token: null,
    lease_expires_at: null,
    ...overrides,
  };
}

export interface RoadmapShape {
  /** Default: 2. */
  stages?: number;
  /** Default: 1. */
  modulesPerStage?: number;
  /** Default: 2. */
  conceptsPerModule?: number;
}

/**
 * A valid roadmap. Ids are readable and the same in every roadmap: `stage-1`, `module-1-1`, `concept-1`,
 * `concept-2`, … numbered across the whole roadmap. Every concept `*_status` is `pending`.
 */
export function makeRoadmap(overrides: Partial<Roadmap> = {}, shape: RoadmapShape = {}): Roadmap {
  const { stages = 2, modulesPerStage = 1, conceptsPerModule = 2 } = shape;
  let conceptNumber = 0;
  const stageList: Stage[] = Array.from({ length: stages }, (_, stageIndex) => ({
    stage_id: `stage-${stageIndex + 1}`,
    name: `Stage ${stageIndex + 1}`,
    description: `What stage ${stageIndex + 1} teaches.`,
    order: stageIndex + 1,
    modules: Array.from({ length: modulesPerStage }, (_, moduleIndex) => ({
      module_id: `module-${stageIndex + 1}-${moduleIndex + 1}`,
      name: `Module ${stageIndex + 1}.${moduleIndex + 1}`,
      description: 'A module.',
      concepts: Array.from({ length: conceptsPerModule }, (): Concept => {
        conceptNumber += 1;
        return makeConcept(`concept-${conceptNumber}`, conceptNumber > 1 ? [`concept-${conceptNumber - 1}`] : []);
      }),
    })),
  }));
  return {
    roadmap_id: 'learn-typescript-00000001',
    user_id: 'user-1',
    title: 'TypeScript from zero',
    goal: 'Learn TypeScript',
    stages: stageList,
    total_estimated_hours: conceptNumber * 2,
    recommended_completion_weeks: 4,
    created_at: isoTime(fixtureEpochMs),
    ...overrides,
  };
}

/** A valid concept with every content status `pending`. */
export function makeConcept(conceptId: string, prerequisites: string[] = []): Concept {
  return {
    concept_id: conceptId,
    name: `Concept ${conceptId}`,
    description: 'A concept.',
    estimated_hours: 2,
    difficulty: 'medium',
    prerequisites,
    keywords: ['typescript'],
    tutorial_status: 'pending',
    resources_status: 'pending',
    quiz_status: 'pending',
  };
}

/** Concept ids of a roadmap in planned order (stages, then modules, then concepts). */
export function conceptIdsOf(roadmap: Roadmap): string[] {
  return roadmap.stages.flatMap((stage) =>
    stage.modules.flatMap((module) => module.concepts.map((concept) => concept.concept_id)),
  );
}

/** A tutorial that passes `tutorialSchema`. */
export function makeTutorial(overrides: Partial<Tutorial> = {}): Tutorial {
  return { title: 'Types', summary: 'What types are.', content: '# Types\n\nA type describes values.', ...overrides };
}

/** Resources that pass `resourcesSchema` (`count` between 5 and 10). */
export function makeResources(count = 5): Resources {
  return {
    resources: Array.from({ length: count }, (_, index) => ({
      title: `Resource ${index + 1}`,
      url: `https://example.com/resource-${index + 1}`,
      type: 'article' as const,
      description: 'Worth reading.',
    })),
  };
}

/** A quiz that passes `quizSchema` (`count` between 5 and 8). */
export function makeQuiz(count = 5): Quiz {
  return {
    questions: Array.from({ length: count }, (_, index) => ({
      question_id: `q${index + 1}`,
      question_type: 'single_choice' as const,
      question: `Question ${index + 1}?`,
      options: ['Yes', 'No'],
      correct_answer: [0],
      explanation: 'Because.',
      difficulty: 'easy' as const,
    })),
  };
}

/** A `progress` event of the task, ready for `appendEvent`. */
export function makeEvent(task: Pick<TaskRecord, 'task_id' | 'user_id'>, message = 'working'): NewRoadmapEvent {
  return {
    type: 'progress',
    task_id: task.task_id,
    user_id: task.user_id,
    timestamp: isoTime(fixtureEpochMs),
    step: 'intent_analysis',
    status: 'processing',
    message,
    progress: { ...emptyProgress },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------------------------------

export interface StorageFixture {
  /** The storage under test, empty. */
  storage: Storage;
  /** Runs after each test: close connections, drop the schema. */
  cleanup?: () => Promise<void> | void;
}

export interface StorageConformanceContext {
  /** The test's manual clock, for adapters that read time themselves (e.g. `createMemoryStorage({ now })`). */
  clock: ManualClock;
}

/** Called before every test; must return an empty storage (or one that `cleanup` of the previous test emptied). */
export type StorageFactory = (context: StorageConformanceContext) => StorageFixture | Promise<StorageFixture>;

function present<Value>(value: Value | null | undefined, what: string): Value {
  if (value === null || value === undefined) throw new Error(`Expected ${what}, got ${String(value)}`);
  return value;
}

/**
 * Registers vitest tests that check every documented contract of {@link Storage}. Call it at the top level of
 * an adapter's test file.
 *
 * @example
 * // postgresStorage.test.ts
 * runStorageConformance('postgres', async () => {
 *   const storage = await createPostgresStorage({ connectionString, schema: `test_${process.pid}` });
 *   return { storage, cleanup: () => storage.dropSchema() };
 * });
 */
export function runStorageConformance(name: string, createStorage: StorageFactory): void {
  describe(`${name}: Storage conformance`, () => {
    let storage: Storage;
    let clock: ManualClock;
    let cleanup: (() => Promise<void> | void) | undefined;

    beforeEach(async () => {
      clock = createManualClock();
      const fixture = await createStorage({ clock });
      storage = fixture.storage;
      cleanup = fixture.cleanup;
    });

    afterEach(async () => {
      await cleanup?.();
    });

    const leaseMs = 30_000;
    const lease = (token: string, now = clock.now(), durationMs = leaseMs) => ({
      token,
      now,
      expiresAt: now + durationMs,
      updatedAt: isoTime(now),
    });

    const createTask = async (overrides: Partial<TaskRecord> = {}): Promise<TaskRecord> => {
      const result = await storage.createTask(makeTaskRecord(overrides));
      expect(result.created).toBe(true);
      return result.task;
    };

    /** A `processing` task held by `token`. */
    const startTask = async (overrides: Partial<TaskRecord> = {}, token = 'lease-1') => {
      const created = await createTask(overrides);
      const acquired = present(await storage.acquireLease(created.task_id, lease(token)), 'a lease');
      const fence: LeaseFence = { taskId: created.task_id, leaseToken: token };
      return { task: acquired.task, fence };
    };

    /** A `processing` task that saved a roadmap (2 concepts by default, 3 items each). */
    const startWithRoadmap = async (shape: RoadmapShape = { stages: 1, conceptsPerModule: 2 }) => {
      const { task, fence } = await startTask();
      const roadmap = makeRoadmap({ roadmap_id: task.roadmap_id, user_id: task.user_id }, shape);
      expect(await storage.saveRoadmap(fence, roadmap)).toBe(true);
      return { task, fence, roadmap };
    };

    const item = (roadmap: Roadmap, conceptId: string, kind: ContentKind) => ({
      roadmapId: roadmap.roadmap_id,
      conceptId,
      kind,
    });

    const statusesOf = (items: ContentItem[]) =>
      items.map((entry) => `${entry.concept_id}/${entry.kind}:${entry.status}`);

    const cancel = (taskId: string) =>
      storage.transitionTask(taskId, { from: ['pending', 'processing'], to: 'cancelled' });

    it("declares specificationVersion 'v1'", () => {
      expect(storage.specificationVersion).toBe('v1');
    });

    describe('createTask and getTask', () => {
      it('stores the record as given and reports created: true', async () => {
        const record = makeTaskRecord({ idempotency_key: 'key-1', title: 'Rust' });
        const result = await storage.createTask(record);
        expect(result).toEqual({ task: record, created: true });
        expect(await storage.getTask(record.task_id)).toEqual(record);
      });

      it('returns null for an unknown task', async () => {
        await createTask();
        expect(await storage.getTask(fixtureUuid(999_999))).toBeNull();
      });

      it('returns the existing task with created: false for the same user and idempotency key', async () => {
        const first = await createTask({ idempotency_key: 'same' });
        const again = makeTaskRecord({ idempotency_key: 'same', title: 'Another title' });
        const result = await storage.createTask(again);
        expect(result.created).toBe(false);
        expect(result.task).toEqual(first);
        expect(await storage.getTask(again.task_id)).toBeNull();
        expect((await storage.listTasks({ userId: 'user-1' })).total).toBe(1);
      });

      it('keeps the same idempotency key of different users apart', async () => {
        const mine = await createTask({ user_id: 'user-a', idempotency_key: 'same' });
        const theirs = await storage.createTask(makeTaskRecord({ user_id: 'user-b', idempotency_key: 'same' }));
        expect(theirs.created).toBe(true);
        expect(theirs.task.task_id).not.toBe(mine.task_id);
        expect(await storage.getTask(theirs.task.task_id)).toEqual(theirs.task);
      });

      it('never deduplicates tasks without an idempotency key', async () => {
        await createTask({ idempotency_key: null });
        await createTask({ idempotency_key: null });
        expect((await storage.listTasks({ userId: 'user-1' })).total).toBe(2);
      });

      it('creates exactly one task from 50 concurrent calls with one key', async () => {
        const records = Array.from({ length: 50 }, () => makeTaskRecord({ idempotency_key: 'burst' }));
        const results = await Promise.all(records.map((record) => storage.createTask(record)));
        const created = results.filter((result) => result.created);
        expect(created).toHaveLength(1);
        const winner = present(created[0], 'the created task').task.task_id;
        expect(new Set(results.map((result) => result.task.task_id))).toEqual(new Set([winner]));
        expect((await storage.listTasks({ userId: 'user-1' })).total).toBe(1);
      });
    });

    describe('listTasks', () => {
      it("lists only the given user's tasks, and every user's without userId", async () => {
        const a1 = await createTask({ user_id: 'user-a' });
        const b1 = await createTask({ user_id: 'user-b' });
        const a2 = await createTask({ user_id: 'user-a' });

        const mine = await storage.listTasks({ userId: 'user-a' });
        expect(mine.tasks.map((task) => task.task_id)).toEqual([a2.task_id, a1.task_id]);
        expect(mine.total).toBe(2);

        const everyone = await storage.listTasks({});
        expect(everyone.tasks.map((task) => task.task_id)).toEqual([a2.task_id, b1.task_id, a1.task_id]);
        expect(everyone.total).toBe(3);
        expect(everyone.counts.pending).toBe(3);

        expect(await storage.listTasks({ userId: 'nobody' })).toEqual({
          tasks: [],
          total: 0,
          counts: Object.fromEntries(taskStatuses.map((status) => [status, 0])),
        });
      });

      it('orders newest first by created_at, whatever the insertion order', async () => {
        const at = (seconds: number) => isoTime(fixtureEpochMs + seconds * 1_000);
        const middle = await createTask({ created_at: at(20) });
        const newest = await createTask({ created_at: at(30) });
        const oldest = await createTask({ created_at: at(10) });
        const { tasks } = await storage.listTasks({ userId: 'user-1' });
        expect(tasks.map((task) => task.task_id)).toEqual([newest.task_id, middle.task_id, oldest.task_id]);
      });

      it('breaks created_at ties by task_id, so pages never overlap or skip', async () => {
        const createdAt = isoTime(fixtureEpochMs);
        const ids: string[] = [];
        for (const number of [3, 1, 5, 2, 4]) {
          ids.push((await createTask({ task_id: fixtureUuid(1_000 + number), created_at: createdAt })).task_id);
        }
        const paged: string[] = [];
        for (const offset of [0, 2, 4]) {
          const page = await storage.listTasks({ userId: 'user-1', limit: 2, offset });
          expect(page.total).toBe(5);
          paged.push(...page.tasks.map((task) => task.task_id));
        }
        const ascending = [...ids].sort();
        expect([ascending, [...ascending].reverse()]).toContainEqual(paged);
      });

      it('filters by status; total follows the filter, counts per status ignore it', async () => {
        await createTask();
        await createTask();
        const started = await startTask();
        const cancelled = await createTask();
        await cancel(cancelled.task_id);
        await createTask({ user_id: 'someone-else' });

        const result = await storage.listTasks({ userId: 'user-1', statuses: ['processing', 'cancelled'] });
        expect(result.tasks.map((task) => task.task_id)).toEqual([cancelled.task_id, started.task.task_id]);
        expect(result.total).toBe(2);
        expect(result.counts).toEqual({
          pending: 2,
          processing: 1,
          completed: 0,
          failed: 0,
          partial_failure: 0,
          cancelled: 1,
        });
      });

      it('pages with limit and offset; total ignores them; the default page is 50', async () => {
        const ids: string[] = [];
        for (let index = 0; index < 55; index += 1) ids.push((await createTask()).task_id);
        const newestFirst = ids.reverse();

        const page = await storage.listTasks({ userId: 'user-1', limit: 3, offset: 2 });
        expect(page.tasks.map((task) => task.task_id)).toEqual(newestFirst.slice(2, 5));
        expect(page.total).toBe(55);

        const defaults = await storage.listTasks({ userId: 'user-1' });
        expect(defaults.tasks.map((task) => task.task_id)).toEqual(newestFirst.slice(0, 50));

        const beyond = await storage.listTasks({ userId: 'user-1', offset: 60 });
        expect(beyond.tasks).toEqual([]);
        expect(beyond.total).toBe(55);
      });
      it('filters by roadmapId, alone or with the user and statuses; counts follow the roadmap too', async () => {
        const wanted = await createTask({ roadmap_id: 'learn-go-0000000a' });
        await createTask({ roadmap_id: 'learn-go-0000000b' });
        await createTask({ user_id: 'user-2', roadmap_id: 'learn-go-0000000c' });
        const zeroCounts = Object.fromEntries(taskStatuses.map((status) => [status, 0]));

        expect(await storage.listTasks({ roadmapId: wanted.roadmap_id })).toEqual({
          tasks: [wanted],
          total: 1,
          counts: { ...zeroCounts, pending: 1 },
        });
        expect((await storage.listTasks({ userId: 'user-1', roadmapId: wanted.roadmap_id })).tasks).toEqual([wanted]);
        expect(await storage.listTasks({ userId: 'user-2', roadmapId: wanted.roadmap_id })).toEqual({
          tasks: [],
          total: 0,
          counts: zeroCounts,
        });
        const filtered = await storage.listTasks({ roadmapId: wanted.roadmap_id, statuses: ['cancelled'] });
        expect(filtered).toEqual({ tasks: [], total: 0, counts: { ...zeroCounts, pending: 1 } });
        expect((await storage.listTasks({ roadmapId: 'no-such-roadmap' })).total).toBe(0);
      });
    });

    describe('transitionTask (compare-and-set)', () => {
      it('changes the status and applies the patch when the current status is listed', async () => {
        const task = await createTask();
        const patch = { cancel_reason: 'changed my mind', current_step: 'cancelled' as const, updated_at: isoTime(1) };
        const changed = await storage.transitionTask(task.task_id, { from: ['pending'], to: 'cancelled', patch });
        const expected = { ...task, ...patch, status: 'cancelled' };
        expect(changed).toEqual(expected);
        expect(await storage.getTask(task.task_id)).toEqual(expected);
      });

      it('returns null and changes nothing when the current status is not listed', async () => {
        const task = await createTask();
        const result = await storage.transitionTask(task.task_id, {
          from: ['processing', 'failed'],
          to: 'completed',
          patch: { error_message: 'should not be written' },
        });
        expect(result).toBeNull();
        expect(await storage.getTask(task.task_id)).toEqual(task);
      });

      it('returns null for an unknown task', async () => {
        expect(await storage.transitionTask(fixtureUuid(999_999), { from: ['pending'], to: 'cancelled' })).toBeNull();
      });

      it('with a leaseToken, succeeds only for the holder', async () => {
        const { task, fence } = await startTask({}, 'holder');
        const stale = await storage.transitionTask(task.task_id, {
          from: ['processing'],
          to: 'completed',
          leaseToken: 'someone-else',
        });
        expect(stale).toBeNull();
        expect(await storage.getTask(task.task_id)).toEqual(task);

        const done = await storage.transitionTask(task.task_id, {
          from: ['processing'],
          to: 'completed',
          leaseToken: fence.leaseToken,
          patch: { lease_token: null, lease_expires_at: null, completed_at: isoTime(clock.now()) },
        });
        expect(done).toMatchObject({ status: 'completed', lease_token: null, lease_expires_at: null });
        expect(await storage.getTask(task.task_id)).toEqual(done);
      });

      it('with a leaseToken, fails on a task nobody holds', async () => {
        const task = await createTask();
        expect(
          await storage.transitionTask(task.task_id, { from: ['pending'], to: 'cancelled', leaseToken: 'any' }),
        ).toBeNull();
        expect((await storage.getTask(task.task_id))?.status).toBe('pending');
      });

      it('without a leaseToken, changes a held task (a cancel from another process)', async () => {
        const { task } = await startTask();
        const cancelled = await storage.transitionTask(task.task_id, { from: ['processing'], to: 'cancelled' });
        expect(cancelled?.status).toBe('cancelled');
      });

      it('lets exactly one of many concurrent transitions from the same status win', async () => {
        const { task } = await startTask();
        const targets: TaskStatus[] = Array.from({ length: 20 }, (_, index) =>
          index % 2 === 0 ? 'completed' : 'cancelled',
        );
        const results = await Promise.all(
          targets.map((to, index) =>
            storage.transitionTask(task.task_id, { from: ['processing'], to, patch: { error_message: `${index}` } }),
          ),
        );
        const winners = results.filter((result) => result !== null);
        expect(winners).toHaveLength(1);
        expect(await storage.getTask(task.task_id)).toEqual(winners[0]);
      });
    });

    describe('updateTask (fenced)', () => {
      it('applies the patch for the lease holder and leaves the status alone', async () => {
        const { task, fence } = await startTask();
        const patch = {
          current_step: 'curriculum_design' as const,
          progress: { completed: 1, failed: 0, total: 3, percentage: 33 },
          title: 'Rust in depth',
          updated_at: isoTime(clock.now() + 5),
        };
        const updated = await storage.updateTask(fence, patch);
        expect(updated).toEqual({ ...task, ...patch });
        expect(await storage.getTask(task.task_id)).toEqual({ ...task, ...patch });
      });

      it('returns null and changes nothing for a stale token, a cancelled task or an unknown task', async () => {
        const { task, fence } = await startTask();
        expect(await storage.updateTask({ ...fence, leaseToken: 'stale' }, { title: 'x' })).toBeNull();
        expect(await storage.updateTask({ ...fence, taskId: fixtureUuid(999_999) }, { title: 'x' })).toBeNull();
        expect(await storage.getTask(task.task_id)).toEqual(task);

        const cancelled = present(await cancel(task.task_id), 'the cancelled task');
        expect(cancelled.lease_token).toBe(fence.leaseToken);
        expect(await storage.updateTask(fence, { title: 'x' })).toBeNull();
        expect(await storage.getTask(task.task_id)).toEqual(cancelled);
      });
    });

    describe('leases', () => {
      it('acquireLease takes a pending task: processing, token, expiry, attempts + 1', async () => {
        const task = await createTask({ attempts: 0 });
        const now = clock.now();
        const result = await storage.acquireLease(task.task_id, lease('token-a', now));
        const expected = {
          ...task,
          status: 'processing',
          lease_token: 'token-a',
          lease_expires_at: now + leaseMs,
          attempts: 1,
          updated_at: isoTime(now),
        };
        expect(result).toEqual({ task: expected, previousStatus: 'pending', recovered: false });
        expect(await storage.getTask(task.task_id)).toEqual(expected);
      });

      it('acquireLease returns null while the lease is live, and recovers it once expired', async () => {
        const now = clock.now();
        const { task } = await startTask({}, 'first');
        expect(await storage.acquireLease(task.task_id, lease('second', now + leaseMs - 1))).toBeNull();
        expect((await storage.getTask(task.task_id))?.lease_token).toBe('first');

        // A lease is dead at its expiry time (`lease_expires_at <= now`).
        const recovered = present(await storage.acquireLease(task.task_id, lease('second', now + leaseMs)), 'lease');
        expect(recovered.recovered).toBe(true);
        expect(recovered.previousStatus).toBe('processing');
        expect(recovered.task).toMatchObject({
          status: 'processing',
          lease_token: 'second',
          lease_expires_at: now + 2 * leaseMs,
          attempts: 2,
        });
        expect(await storage.renewLease({ taskId: task.task_id, leaseToken: 'first' }, now + 3 * leaseMs)).toBe(false);
      });

      it('acquireLease claims a released lease at once, as a recovery', async () => {
        const { task, fence } = await startTask();
        expect(await storage.releaseLease(fence)).toBe(true);
        const result = await storage.acquireLease(task.task_id, lease('next'));
        expect(result?.recovered).toBe(true);
        expect(result?.task.lease_token).toBe('next');
      });

      it('acquireLease returns null for terminal and unknown tasks', async () => {
        for (const status of ['completed', 'failed', 'partial_failure', 'cancelled'] as const) {
          const task = await createTask({ status });
          expect(await storage.acquireLease(task.task_id, lease('token'))).toBeNull();
          expect(await storage.getTask(task.task_id)).toEqual(task);
        }
        expect(await storage.acquireLease(fixtureUuid(999_999), lease('token'))).toBeNull();
      });

      it('acquireLease gives a task to exactly one of many concurrent claimers', async () => {
        const task = await createTask();
        const tokens = Array.from({ length: 20 }, (_, index) => `token-${index}`);
        const results = await Promise.all(tokens.map((token) => storage.acquireLease(task.task_id, lease(token))));
        const winners = results.filter((result) => result !== null);
        expect(winners).toHaveLength(1);
        const stored = present(await storage.getTask(task.task_id), 'the task');
        expect(stored.lease_token).toBe(winners[0]?.task.lease_token);
        expect(stored.attempts).toBe(1);
      });

      it('renewLease extends the holder’s lease and refuses stale tokens and cancelled tasks', async () => {
        const now = clock.now();
        const { task, fence } = await startTask();
        expect(await storage.renewLease(fence, now + 2 * leaseMs)).toBe(true);
        expect((await storage.getTask(task.task_id))?.lease_expires_at).toBe(now + 2 * leaseMs);
        // Still live at the first expiry.
        expect(await storage.acquireLease(task.task_id, lease('other', now + leaseMs))).toBeNull();

        expect(await storage.renewLease({ ...fence, leaseToken: 'stale' }, now + 9 * leaseMs)).toBe(false);
        await cancel(task.task_id);
        expect(await storage.renewLease(fence, now + 9 * leaseMs)).toBe(false);
        expect((await storage.getTask(task.task_id))?.lease_expires_at).toBe(now + 2 * leaseMs);
      });

      it('releaseLease clears the lease, keeps the status, and works once', async () => {
        const { task, fence } = await startTask();
        expect(await storage.releaseLease({ ...fence, leaseToken: 'stale' })).toBe(false);
        expect(await storage.releaseLease(fence)).toBe(true);
        expect(await storage.getTask(task.task_id)).toMatchObject({
          status: 'processing',
          lease_token: null,
          lease_expires_at: null,
        });
        expect(await storage.releaseLease(fence)).toBe(false);
      });

      it('listOrphanedTasks returns processing tasks without a live lease, and no others', async () => {
        const now = clock.now();
        const live = await startTask();
        const expired = await createTask();
        await storage.acquireLease(expired.task_id, lease('old', now - 2 * leaseMs));
        const expiringNow = await createTask();
        await storage.acquireLease(expiringNow.task_id, lease('edge', now - leaseMs));
        const released = await startTask({}, 'released');
        await storage.releaseLease(released.fence);
        await createTask();
        const finished = await createTask();
        await storage.acquireLease(finished.task_id, lease('done', now - 2 * leaseMs));
        await storage.transitionTask(finished.task_id, { from: ['processing'], to: 'completed' });

        const orphaned = await storage.listOrphanedTasks(now);
        expect(orphaned.map((task) => task.task_id).sort()).toEqual(
          [expired.task_id, expiringNow.task_id, released.task.task_id].sort(),
        );
        expect(orphaned.every((task) => task.status === 'processing')).toBe(true);
        expect(orphaned.map((task) => task.task_id)).not.toContain(live.task.task_id);
      });

      it('fences out a worker whose lease was taken over', async () => {
        const now = clock.now();
        const { roadmap, fence: first } = await startWithRoadmap();
        const second = { taskId: first.taskId, leaseToken: 'second' };
        await storage.acquireLease(first.taskId, lease('second', now + leaseMs));
        const [conceptId] = conceptIdsOf(roadmap) as [string];

        expect(
          await storage.saveItem(first, { ...item(roadmap, conceptId, 'tutorial'), content: makeTutorial() }),
        ).toBe(false);
        expect(await storage.saveCheckpoint(first, 'intent', { stale: true })).toBe(false);
        expect(await storage.appendEvent(makeEvent({ task_id: first.taskId, user_id: 'user-1' }), first)).toBeNull();

        expect(await storage.saveCheckpoint(second, 'intent', { fresh: true })).toBe(true);
        expect(await storage.getCheckpoints(first.taskId)).toEqual({ intent: { fresh: true } });
      });
    });

    describe('checkpoints', () => {
      it('stores values per key for the holder, overwriting the same key', async () => {
        const { fence } = await startTask();
        expect(await storage.saveCheckpoint(fence, 'intent', { parsed_goal: 'Rust' })).toBe(true);
        expect(await storage.saveCheckpoint(fence, 'curriculum', ['a', 'b'])).toBe(true);
        expect(await storage.saveCheckpoint(fence, 'intent', { parsed_goal: 'Go' })).toBe(true);
        expect(await storage.getCheckpoints(fence.taskId)).toEqual({
          intent: { parsed_goal: 'Go' },
          curriculum: ['a', 'b'],
        });
      });

      it('rejects a stale token and a cancelled task, storing nothing', async () => {
        const { fence } = await startTask();
        expect(await storage.saveCheckpoint({ ...fence, leaseToken: 'stale' }, 'intent', 1)).toBe(false);
        await cancel(fence.taskId);
        expect(await storage.saveCheckpoint(fence, 'intent', 2)).toBe(false);
        expect(await storage.getCheckpoints(fence.taskId)).toEqual({});
      });

      it('keeps tasks apart; an unknown task has none', async () => {
        const first = await startTask({}, 'a');
        const second = await startTask({}, 'b');
        await storage.saveCheckpoint(first.fence, 'intent', 'first');
        await storage.saveCheckpoint(second.fence, 'intent', 'second');
        expect(await storage.getCheckpoints(first.fence.taskId)).toEqual({ intent: 'first' });
        expect(await storage.getCheckpoints(second.fence.taskId)).toEqual({ intent: 'second' });
        expect(await storage.getCheckpoints(fixtureUuid(999_999))).toEqual({});
      });
    });

    describe('roadmaps', () => {
      it('saveRoadmap stores the framework and plans one pending item per concept × kind', async () => {
        const { roadmap } = await startWithRoadmap({ stages: 2, modulesPerStage: 2, conceptsPerModule: 2 });
        expect(await storage.getRoadmap(roadmap.roadmap_id)).toEqual(roadmap);
        const items = await storage.listItems(roadmap.roadmap_id);
        expect(items.map((entry) => [entry.concept_id, entry.kind])).toEqual(
          conceptIdsOf(roadmap).flatMap((conceptId) => contentKinds.map((kind) => [conceptId, kind])),
        );
        for (const entry of items) {
          expect(entry).toMatchObject({
            roadmap_id: roadmap.roadmap_id,
            status: 'pending',
            content: null,
            error: null,
          });
        }
      });

      it('saveRoadmap ignores the concept statuses it is given', async () => {
        const { task, fence } = await startTask();
        const roadmap = makeRoadmap({ roadmap_id: task.roadmap_id });
        const claimed = structuredClone(roadmap);
        for (const concept of claimed.stages.flatMap((stage) => stage.modules.flatMap((module) => module.concepts))) {
          concept.tutorial_status = 'completed';
          concept.quiz_status = 'failed';
        }
        expect(await storage.saveRoadmap(fence, claimed)).toBe(true);
        expect(await storage.getRoadmap(roadmap.roadmap_id)).toEqual(roadmap);
      });

      it('saving again updates the framework, plans new concepts and keeps existing items', async () => {
        const { roadmap, fence } = await startWithRoadmap();
        const [first, second] = conceptIdsOf(roadmap) as [string, string];
        const tutorial = makeTutorial();
        await storage.saveItem(fence, { ...item(roadmap, first, 'tutorial'), content: tutorial });
        await storage.setItemStatus(fence, item(roadmap, second, 'quiz'), 'failed', 'bad output');

        const edited = structuredClone(roadmap);
        edited.title = 'Edited title';
        edited.stages[0]?.modules[0]?.concepts.push(makeConcept('concept-new'));
        expect(await storage.saveRoadmap(fence, edited)).toBe(true);

        const items = await storage.listItems(roadmap.roadmap_id);
        expect(statusesOf(items)).toEqual([
          `${first}/tutorial:completed`,
          `${first}/resources:pending`,
          `${first}/quiz:pending`,
          `${second}/tutorial:pending`,
          `${second}/resources:pending`,
          `${second}/quiz:failed`,
          'concept-new/tutorial:pending',
          'concept-new/resources:pending',
          'concept-new/quiz:pending',
        ]);
        expect(items[0]?.content).toEqual(tutorial);
        expect(items[5]?.error).toBe('bad output');
        const stored = present(await storage.getRoadmap(roadmap.roadmap_id), 'the roadmap');
        expect(stored.title).toBe('Edited title');
        expect(conceptIdsOf(stored)).toEqual([first, second, 'concept-new']);
      });

      it('saveRoadmap is fenced: a stale token or a cancelled task stores nothing', async () => {
        const { task, fence } = await startTask();
        const roadmap = makeRoadmap({ roadmap_id: task.roadmap_id });
        expect(await storage.saveRoadmap({ ...fence, leaseToken: 'stale' }, roadmap)).toBe(false);
        await cancel(task.task_id);
        expect(await storage.saveRoadmap(fence, roadmap)).toBe(false);
        expect(await storage.getRoadmap(roadmap.roadmap_id)).toBeNull();
        expect(await storage.listItems(roadmap.roadmap_id)).toEqual([]);
      });

      it('getRoadmap returns null for an unknown roadmap and derives concept statuses from items', async () => {
        expect(await storage.getRoadmap('no-such-roadmap')).toBeNull();
        const { roadmap, fence } = await startWithRoadmap();
        const [first, second] = conceptIdsOf(roadmap) as [string, string];
        await storage.setItemStatus(fence, item(roadmap, first, 'tutorial'), 'generating');
        await storage.setItemStatus(fence, item(roadmap, first, 'resources'), 'failed', 'timeout');
        await storage.saveItem(fence, { ...item(roadmap, first, 'quiz'), content: makeQuiz() });

        const stored = present(await storage.getRoadmap(roadmap.roadmap_id), 'the roadmap');
        const concepts = stored.stages.flatMap((stage) => stage.modules.flatMap((module) => module.concepts));
        const statuses = (concept: Concept | undefined) =>
          concept && [concept.tutorial_status, concept.resources_status, concept.quiz_status];
        expect(statuses(concepts.find((concept) => concept.concept_id === first))).toEqual([
          'generating',
          'failed',
          'completed',
        ]);
        expect(statuses(concepts.find((concept) => concept.concept_id === second))).toEqual([
          'pending',
          'pending',
          'pending',
        ]);
      });

      it("listRoadmaps returns one user's roadmaps, newest first", async () => {
        const save = async (userId: string, seconds: number) => {
          const { task, fence } = await startTask({ user_id: userId }, `token-${userId}-${seconds}`);
          const roadmap = makeRoadmap({
            roadmap_id: task.roadmap_id,
            user_id: userId,
            created_at: isoTime(fixtureEpochMs + seconds * 1_000),
          });
          expect(await storage.saveRoadmap(fence, roadmap)).toBe(true);
          return roadmap.roadmap_id;
        };
        const middle = await save('user-a', 20);
        const newest = await save('user-a', 30);
        await save('user-b', 40);
        const oldest = await save('user-a', 10);

        const roadmaps = await storage.listRoadmaps('user-a');
        expect(roadmaps.map((roadmap) => roadmap.roadmap_id)).toEqual([newest, middle, oldest]);
        expect(roadmaps[0]?.stages[0]?.modules[0]?.concepts[0]?.tutorial_status).toBe('pending');
        expect(await storage.listRoadmaps('nobody')).toEqual([]);
      });
    });

    describe('content items', () => {
      it('setItemStatus marks an item generating, or failed with its error', async () => {
        const { roadmap, fence } = await startWithRoadmap();
        const [first] = conceptIdsOf(roadmap) as [string];
        expect(await storage.setItemStatus(fence, item(roadmap, first, 'tutorial'), 'generating')).toBe(true);
        expect(await storage.setItemStatus(fence, item(roadmap, first, 'quiz'), 'failed', 'invalid JSON')).toBe(true);
        const items = await storage.listItems(roadmap.roadmap_id, first);
        expect(items.map((entry) => [entry.kind, entry.status, entry.error])).toEqual([
          ['tutorial', 'generating', null],
          ['resources', 'pending', null],
          ['quiz', 'failed', 'invalid JSON'],
        ]);
      });

      it('saveItem stores the content as completed and clears an earlier error', async () => {
        const { roadmap, fence } = await startWithRoadmap();
        const [first] = conceptIdsOf(roadmap) as [string];
        await storage.setItemStatus(fence, item(roadmap, first, 'resources'), 'failed', 'timeout');
        const resources = makeResources(6);
        expect(await storage.saveItem(fence, { ...item(roadmap, first, 'resources'), content: resources })).toBe(true);
        const saved = (await storage.listItems(roadmap.roadmap_id, first)).find((entry) => entry.kind === 'resources');
        expect(saved).toMatchObject({ status: 'completed', content: resources, error: null });
      });

      it('rejects writes with a stale token or to a cancelled task, changing nothing', async () => {
        const { task, roadmap, fence } = await startWithRoadmap();
        const [first] = conceptIdsOf(roadmap) as [string];
        await storage.setItemStatus(fence, item(roadmap, first, 'tutorial'), 'generating');
        const before = await storage.listItems(roadmap.roadmap_id);
        const stale = { ...fence, leaseToken: 'stale' };

        expect(await storage.setItemStatus(stale, item(roadmap, first, 'quiz'), 'failed', 'x')).toBe(false);
        expect(await storage.saveItem(stale, { ...item(roadmap, first, 'tutorial'), content: makeTutorial() })).toBe(
          false,
        );
        await cancel(task.task_id);
        expect(await storage.setItemStatus(fence, item(roadmap, first, 'quiz'), 'generating')).toBe(false);
        expect(await storage.saveItem(fence, { ...item(roadmap, first, 'tutorial'), content: makeTutorial() })).toBe(
          false,
        );
        expect(await storage.listItems(roadmap.roadmap_id)).toEqual(before);
      });

      it('keeps the items of two roadmaps with the same concept ids apart', async () => {
        const one = await startWithRoadmap();
        const two = await startWithRoadmap();
        expect(one.roadmap.roadmap_id).not.toBe(two.roadmap.roadmap_id);
        expect(conceptIdsOf(one.roadmap)).toEqual(conceptIdsOf(two.roadmap));
        const [first] = conceptIdsOf(one.roadmap) as [string];
        await storage.saveItem(one.fence, { ...item(one.roadmap, first, 'tutorial'), content: makeTutorial() });
        expect((await storage.listItems(two.roadmap.roadmap_id)).every((entry) => entry.status === 'pending')).toBe(
          true,
        );
        expect((await storage.listItems(one.roadmap.roadmap_id))[0]?.status).toBe('completed');
      });

      it('setItemStatus and saveItem apply taskPatch to the task with the item', async () => {
        const { task, roadmap, fence } = await startWithRoadmap();
        const [first] = conceptIdsOf(roadmap) as [string];
        const started = { current_step: 'content_generation' as const, updated_at: isoTime(clock.now() + 1) };
        expect(
          await storage.setItemStatus(fence, item(roadmap, first, 'tutorial'), 'generating', undefined, started),
        ).toBe(true);
        expect(await storage.getTask(task.task_id)).toEqual({ ...task, ...started });

        const failed = {
          progress: { completed: 0, failed: 1, total: 6, percentage: 17 },
          failed_concepts: { count: 1, concept_ids: [first] },
          updated_at: isoTime(clock.now() + 2),
        };
        expect(await storage.setItemStatus(fence, item(roadmap, first, 'quiz'), 'failed', 'bad', failed)).toBe(true);
        expect(await storage.getTask(task.task_id)).toEqual({ ...task, ...started, ...failed });

        const saved = {
          progress: { completed: 1, failed: 1, total: 6, percentage: 33 },
          error_message: null,
          updated_at: isoTime(clock.now() + 3),
        };
        const content = makeTutorial();
        expect(await storage.saveItem(fence, { ...item(roadmap, first, 'tutorial'), content }, saved)).toBe(true);
        expect(await storage.getTask(task.task_id)).toEqual({ ...task, ...started, ...failed, ...saved });
        expect(statusesOf(await storage.listItems(roadmap.roadmap_id, first))).toEqual([
          `${first}/tutorial:completed`,
          `${first}/resources:pending`,
          `${first}/quiz:failed`,
        ]);
      });

      it('applies no taskPatch when the item write is rejected (stale token, cancelled task, unknown item)', async () => {
        const { task, roadmap, fence } = await startWithRoadmap();
        const [first] = conceptIdsOf(roadmap) as [string];
        const patch = {
          progress: { completed: 1, failed: 0, total: 6, percentage: 17 },
          title: 'should not be written',
        };
        const stale = { ...fence, leaseToken: 'stale' };
        const tutorial = { ...item(roadmap, first, 'tutorial'), content: makeTutorial() };
        const unknown = { ...item(roadmap, 'no-such-concept', 'tutorial'), content: makeTutorial() };

        expect(await storage.setItemStatus(stale, item(roadmap, first, 'quiz'), 'failed', 'x', patch)).toBe(false);
        expect(await storage.saveItem(stale, tutorial, patch)).toBe(false);
        expect(await storage.setItemStatus(fence, unknown, 'generating', undefined, patch)).toBe(false);
        expect(await storage.saveItem(fence, unknown, patch)).toBe(false);
        expect(await storage.getTask(task.task_id)).toEqual(task);

        const cancelled = present(await cancel(task.task_id), 'the cancelled task');
        expect(await storage.setItemStatus(fence, item(roadmap, first, 'quiz'), 'failed', 'x', patch)).toBe(false);
        expect(await storage.saveItem(fence, tutorial, patch)).toBe(false);
        expect(await storage.getTask(task.task_id)).toEqual(cancelled);
        expect((await storage.listItems(roadmap.roadmap_id)).every((entry) => entry.status === 'pending')).toBe(true);
      });

      it('listItems filters by concept and returns nothing for an unknown roadmap', async () => {
        const { roadmap } = await startWithRoadmap();
        const [, second] = conceptIdsOf(roadmap) as [string, string];
        const items = await storage.listItems(roadmap.roadmap_id, second);
        expect(items.map((entry) => `${entry.concept_id}/${entry.kind}`)).toEqual(
          contentKinds.map((kind) => `${second}/${kind}`),
        );
        expect(await storage.listItems('no-such-roadmap')).toEqual([]);
      });

      describe('resetItems', () => {
        /** first: tutorial failed, resources generating, quiz completed; second: tutorial failed. */
        const prepare = async () => {
          const setup = await startWithRoadmap();
          const { roadmap, fence } = setup;
          const [first, second] = conceptIdsOf(roadmap) as [string, string];
          await storage.setItemStatus(fence, item(roadmap, first, 'tutorial'), 'failed', 'boom');
          await storage.setItemStatus(fence, item(roadmap, first, 'resources'), 'generating');
          await storage.saveItem(fence, { ...item(roadmap, first, 'quiz'), content: makeQuiz() });
          await storage.setItemStatus(fence, item(roadmap, second, 'tutorial'), 'failed', 'boom');
          return { ...setup, first, second };
        };

        it('puts the items in the given statuses back to pending and counts them', async () => {
          const { roadmap, first, second } = await prepare();
          expect(await storage.resetItems(roadmap.roadmap_id, { statuses: ['failed', 'generating'] })).toBe(3);
          expect(statusesOf(await storage.listItems(roadmap.roadmap_id))).toEqual([
            `${first}/tutorial:pending`,
            `${first}/resources:pending`,
            `${first}/quiz:completed`,
            `${second}/tutorial:pending`,
            `${second}/resources:pending`,
            `${second}/quiz:pending`,
          ]);
          expect((await storage.listItems(roadmap.roadmap_id, first))[2]?.content).toEqual(makeQuiz());
        });

        it('narrows to one concept, and to one concept and kind', async () => {
          const { roadmap, first, second } = await prepare();
          expect(
            await storage.resetItems(roadmap.roadmap_id, { statuses: ['failed'], conceptId: second, kind: 'tutorial' }),
          ).toBe(1);
          expect(
            await storage.resetItems(roadmap.roadmap_id, { statuses: ['failed'], conceptId: first, kind: 'quiz' }),
          ).toBe(0);
          expect(statusesOf(await storage.listItems(roadmap.roadmap_id))).toEqual([
            `${first}/tutorial:failed`,
            `${first}/resources:generating`,
            `${first}/quiz:completed`,
            `${second}/tutorial:pending`,
            `${second}/resources:pending`,
            `${second}/quiz:pending`,
          ]);
          const statuses: ItemStatus[] = ['failed', 'completed'];
          expect(await storage.resetItems(roadmap.roadmap_id, { statuses, conceptId: first })).toBe(2);
          expect(statusesOf(await storage.listItems(roadmap.roadmap_id, first))).toEqual([
            `${first}/tutorial:pending`,
            `${first}/resources:generating`,
            `${first}/quiz:pending`,
          ]);
        });

        it('is not fenced: it works after the task left processing; unknown roadmaps count 0', async () => {
          const { task, roadmap } = await prepare();
          await cancel(task.task_id);
          expect(await storage.resetItems(roadmap.roadmap_id, { statuses: ['failed'] })).toBe(2);
          expect(await storage.resetItems('no-such-roadmap', { statuses: ['failed'] })).toBe(0);
          expect(await storage.resetItems(roadmap.roadmap_id, { statuses: [] })).toBe(0);
        });
      });
    });

    describe('event log', () => {
      it('appendEvent assigns strictly increasing seq across tasks and returns the stored event', async () => {
        const first = await createTask();
        const second = await createTask({ user_id: 'user-2' });
        const events = [makeEvent(first, 'one'), makeEvent(second, 'two'), makeEvent(first, 'three')];
        const stored: RoadmapEvent[] = [];
        for (const event of events) stored.push(present(await storage.appendEvent(event), 'the event'));

        stored.forEach((event, index) => {
          expect(event).toEqual({ ...events[index], seq: event.seq });
          expect(Number.isInteger(event.seq) && event.seq > 0).toBe(true);
        });
        const seqs = stored.map((event) => event.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(new Set(seqs).size).toBe(3);
        expect(await storage.listEvents({})).toEqual(stored);
      });

      it('gives 100 concurrent appends distinct seqs, listed in increasing order', async () => {
        const task = await createTask();
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, index) => storage.appendEvent(makeEvent(task, `event ${index}`))),
        );
        const seqs = results.map((event) => present(event, 'an event').seq);
        expect(new Set(seqs).size).toBe(100);
        const listed = await storage.listEvents({ taskId: task.task_id });
        expect(listed.map((event) => event.seq)).toEqual([...seqs].sort((a, b) => a - b));
        const next = present(await storage.appendEvent(makeEvent(task, 'after')), 'an event');
        expect(next.seq).toBeGreaterThan(Math.max(...seqs));
      });

      it('with a fence, appends only for the holder; without one, always', async () => {
        const { task, fence } = await startTask();
        expect(await storage.appendEvent(makeEvent(task, 'held'), fence)).not.toBeNull();
        expect(await storage.appendEvent(makeEvent(task, 'stale'), { ...fence, leaseToken: 'stale' })).toBeNull();
        await cancel(task.task_id);
        expect(await storage.appendEvent(makeEvent(task, 'late worker'), fence)).toBeNull();
        expect(await storage.appendEvent(makeEvent(task, 'cancelled by the API'))).not.toBeNull();
        const messages = (await storage.listEvents({ taskId: task.task_id })).map(
          (event) => event.type === 'progress' && event.message,
        );
        expect(messages).toEqual(['held', 'cancelled by the API']);
      });

      it('listEvents filters by task, user and after, and applies limit after filtering', async () => {
        const mine = await createTask({ user_id: 'user-a' });
        const alsoMine = await createTask({ user_id: 'user-a' });
        const theirs = await createTask({ user_id: 'user-b' });
        const append = async (task: TaskRecord, message: string) =>
          present(await storage.appendEvent(makeEvent(task, message)), 'the event');
        const e1 = await append(mine, 'e1');
        const e2 = await append(theirs, 'e2');
        const e3 = await append(alsoMine, 'e3');
        const e4 = await append(mine, 'e4');
        const e5 = await append(theirs, 'e5');
        const e6 = await append(mine, 'e6');

        expect(await storage.listEvents({ taskId: mine.task_id })).toEqual([e1, e4, e6]);
        expect(await storage.listEvents({ userId: 'user-a' })).toEqual([e1, e3, e4, e6]);
        expect(await storage.listEvents({ userId: 'user-b' })).toEqual([e2, e5]);
        expect(await storage.listEvents({ after: e3.seq })).toEqual([e4, e5, e6]);
        expect(await storage.listEvents({ taskId: mine.task_id, after: e1.seq })).toEqual([e4, e6]);
        expect(await storage.listEvents({ taskId: mine.task_id, limit: 2 })).toEqual([e1, e4]);
        expect(await storage.listEvents({ limit: 2, after: e4.seq })).toEqual([e5, e6]);
        expect(await storage.listEvents({ after: e6.seq })).toEqual([]);
        expect(await storage.listEvents({ taskId: fixtureUuid(999_999) })).toEqual([]);
      });
    });

    describe('covers', () => {
      const coverAt = (seconds: number) => isoTime(fixtureEpochMs + seconds * 1_000);
      const coverInput = (roadmapId: string, overrides: Partial<Pick<CoverRecord, 'user_id' | 'task_id'>> = {}) => ({
        roadmap_id: roadmapId,
        user_id: 'user-1',
        task_id: fixtureUuid(1),
        created_at: coverAt(0),
        ...overrides,
      });
      const attribution: ImageAttribution = {
        author: 'Ada Lovelace',
        authorUrl: 'https://unsplash.com/@ada',
        source: 'Unsplash',
        sourceUrl: 'https://unsplash.com/photos/abc',
      };
      /** A cover of `roadmapId` brought to `status` (one hop from `not_started`), with `patch` applied. */
      const coverIn = async (roadmapId: string, status: CoverStatus, patch: CoverChange['patch'] = {}) => {
        await storage.ensureCover(coverInput(roadmapId));
        const change: CoverChange = { from: ['not_started'], to: status, patch };
        return present(await storage.transitionCover(roadmapId, change), `the ${status} cover`);
      };
      const byRoadmap = (covers: CoverRecord[]) =>
        [...covers].sort((a, b) => (a.roadmap_id < b.roadmap_id ? -1 : a.roadmap_id > b.roadmap_id ? 1 : 0));

      it('ensureCover inserts a not_started cover with retry_count 0 and nulls, and returns it', async () => {
        const input = coverInput('learn-rust-00000001', { user_id: 'user-7', task_id: fixtureUuid(7) });
        const expected: CoverRecord = {
          roadmap_id: 'learn-rust-00000001',
          user_id: 'user-7',
          task_id: fixtureUuid(7),
          cover_image_url: null,
          status: 'not_started',
          error: null,
          retry_count: 0,
          provider: null,
          attribution: null,
          blob_key: null,
          next_attempt_at: null,
          created_at: input.created_at,
          updated_at: input.created_at,
        };
        expect(await storage.ensureCover(input)).toEqual(expected);
        expect(await storage.getCover('learn-rust-00000001')).toEqual(expected);
      });

      it('ensureCover returns the existing cover unchanged, whatever the second call gives', async () => {
        const first = await storage.ensureCover(coverInput('learn-rust-00000001'));
        const again = coverInput('learn-rust-00000001', { user_id: 'user-2', task_id: fixtureUuid(2) });
        expect(await storage.ensureCover({ ...again, created_at: coverAt(50) })).toEqual(first);

        const patch = { cover_image_url: 'https://img.example/1.png', provider: 'offline', updated_at: coverAt(5) };
        const done = present(
          await storage.transitionCover('learn-rust-00000001', { from: ['not_started'], to: 'success', patch }),
          'the cover',
        );
        expect(await storage.ensureCover(again)).toEqual(done);
        expect(await storage.getCover('learn-rust-00000001')).toEqual(done);
      });

      it('ensureCover from 20 concurrent calls stores one cover and returns it to every caller', async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, index) =>
            storage.ensureCover(coverInput('learn-rust-00000001', { task_id: fixtureUuid(index + 1) })),
          ),
        );
        const stored = present(await storage.getCover('learn-rust-00000001'), 'the cover');
        for (const result of results) expect(result).toEqual(stored);
        expect(await storage.getCovers(['learn-rust-00000001'])).toEqual([stored]);
      });

      it('getCover returns null for an unknown roadmap', async () => {
        await storage.ensureCover(coverInput('learn-rust-00000001'));
        expect(await storage.getCover('no-such-roadmap')).toBeNull();
      });

      it('getCovers returns only the covers that exist, once each', async () => {
        const rust = await storage.ensureCover(coverInput('learn-rust-00000001'));
        const go = await storage.ensureCover(coverInput('learn-go-00000002', { user_id: 'user-2' }));
        await storage.ensureCover(coverInput('learn-zig-00000003'));
        const found = await storage.getCovers([
          'learn-rust-00000001',
          'missing',
          'learn-go-00000002',
          'learn-rust-00000001',
        ]);
        expect(byRoadmap(found)).toEqual(byRoadmap([rust, go]));
        expect(await storage.getCovers(['missing'])).toEqual([]);
        expect(await storage.getCovers([])).toEqual([]);
      });

      describe('transitionCover (compare-and-set)', () => {
        it('changes the status and applies every field of the patch when the current status is listed', async () => {
          const created = await storage.ensureCover(coverInput('learn-rust-00000001'));
          const patch = {
            cover_image_url: 'https://img.example/rust.jpg',
            error: 'an earlier error',
            retry_count: 2,
            provider: 'unsplash',
            attribution,
            blob_key: 'covers/learn-rust-00000001.jpg',
            next_attempt_at: fixtureEpochMs + 90_000,
            updated_at: coverAt(9),
          };
          const changed = await storage.transitionCover('learn-rust-00000001', {
            from: ['pending', 'not_started'],
            to: 'success',
            patch,
          });
          const expected: CoverRecord = { ...created, ...structuredClone(patch), status: 'success' };
          expect(changed).toEqual(expected);
          expect(await storage.getCover('learn-rust-00000001')).toEqual(expected);
        });

        it('keeps the fields the patch leaves out, and clears those it sets to null', async () => {
          await coverIn('learn-rust-00000001', 'failed', {
            error: 'boom',
            retry_count: 1,
            provider: 'unsplash',
            attribution,
            blob_key: 'covers/a.jpg',
            next_attempt_at: fixtureEpochMs + 5_000,
            updated_at: coverAt(3),
          });
          const before = present(await storage.getCover('learn-rust-00000001'), 'the cover');
          const retried = await storage.transitionCover('learn-rust-00000001', { from: ['failed'], to: 'pending' });
          expect(retried).toEqual({ ...before, status: 'pending' });

          const cleared = await storage.transitionCover('learn-rust-00000001', {
            from: ['pending'],
            to: 'generating',
            patch: { error: null, attribution: null, next_attempt_at: null, blob_key: null, updated_at: coverAt(4) },
          });
          const expected: CoverRecord = {
            ...before,
            status: 'generating',
            error: null,
            attribution: null,
            next_attempt_at: null,
            blob_key: null,
            updated_at: coverAt(4),
          };
          expect(cleared).toEqual(expected);
          expect(await storage.getCover('learn-rust-00000001')).toEqual(expected);
        });

        it('returns null and changes nothing when the current status is not listed', async () => {
          const created = await storage.ensureCover(coverInput('learn-rust-00000001'));
          const patch = { error: 'should not be written', retry_count: 3, updated_at: coverAt(8) };
          expect(
            await storage.transitionCover('learn-rust-00000001', { from: ['pending', 'failed'], to: 'success', patch }),
          ).toBeNull();
          expect(await storage.transitionCover('learn-rust-00000001', { from: [], to: 'pending', patch })).toBeNull();
          expect(await storage.getCover('learn-rust-00000001')).toEqual(created);
        });

        it('returns null for an unknown roadmap and creates nothing', async () => {
          const change: CoverChange = { from: ['not_started'], to: 'pending' };
          expect(await storage.transitionCover('no-such-roadmap', change)).toBeNull();
          expect(await storage.getCover('no-such-roadmap')).toBeNull();
        });

        it('lets exactly one of 20 concurrent transitions from not_started to pending win', async () => {
          await storage.ensureCover(coverInput('learn-rust-00000001'));
          const results = await Promise.all(
            Array.from({ length: 20 }, (_, index) =>
              storage.transitionCover('learn-rust-00000001', {
                from: ['not_started'],
                to: 'pending',
                patch: { retry_count: index + 1, updated_at: coverAt(index + 1) },
              }),
            ),
          );
          const winners = results.filter((result) => result !== null);
          expect(winners).toHaveLength(1);
          expect(await storage.getCover('learn-rust-00000001')).toEqual(winners[0]);
          expect(winners[0]?.status).toBe('pending');
        });
      });

      describe('listDueCovers', () => {
        const now = fixtureEpochMs + 600_000;
        const staleBefore = coverAt(100);

        it('lists failed covers due by now and stale pending or generating ones, oldest first', async () => {
          // updated_at seconds make the expected order: 10, 20, 30, 40.
          const staleGenerating = await coverIn('cover-a', 'generating', { updated_at: coverAt(30) });
          const failedDue = await coverIn('cover-b', 'failed', { next_attempt_at: now - 1, updated_at: coverAt(40) });
          const failedDueNow = await coverIn('cover-c', 'failed', { next_attempt_at: now, updated_at: coverAt(10) });
          const stalePending = await coverIn('cover-d', 'pending', { updated_at: coverAt(20) });
          // Never due:
          await coverIn('cover-e', 'failed', { next_attempt_at: now + 1, updated_at: coverAt(1) });
          await coverIn('cover-f', 'failed', { next_attempt_at: null, updated_at: coverAt(2) });
          await coverIn('cover-g', 'pending', { updated_at: staleBefore });
          await coverIn('cover-h', 'generating', { updated_at: coverAt(150) });
          await coverIn('cover-i', 'success', { next_attempt_at: now - 10, updated_at: coverAt(3) });
          await storage.ensureCover(coverInput('cover-j'));

          const due = await storage.listDueCovers({ now, staleBefore, limit: 100 });
          expect(due).toEqual([failedDueNow, stalePending, staleGenerating, failedDue]);
          expect(await storage.listDueCovers({ now, staleBefore, limit: 2 })).toEqual([failedDueNow, stalePending]);
          expect(await storage.listDueCovers({ now: fixtureEpochMs, staleBefore: coverAt(0), limit: 100 })).toEqual([]);
        });

        it('never lists success or not_started covers, however old', async () => {
          await coverIn('cover-a', 'success', { next_attempt_at: fixtureEpochMs, updated_at: coverAt(1) });
          await storage.ensureCover(coverInput('cover-b'));
          expect(await storage.listDueCovers({ now, staleBefore, limit: 100 })).toEqual([]);
        });
      });

      it('returned covers are copies: mutating inputs or results never changes what is stored', async () => {
        const input = coverInput('learn-rust-00000001');
        const created = await storage.ensureCover(input);
        input.user_id = 'mutated input';
        created.status = 'success';
        const patch = { attribution: { ...attribution }, updated_at: coverAt(5) };
        const pending = present(
          await storage.transitionCover('learn-rust-00000001', { from: ['not_started'], to: 'pending', patch }),
          'the cover',
        );
        const stored = structuredClone(pending);
        patch.attribution.author = 'mutated patch';
        pending.retry_count = 9;
        if (pending.attribution) pending.attribution.author = 'mutated result';
        const read = present(await storage.getCover('learn-rust-00000001'), 'the cover');
        if (read.attribution) read.attribution.source = 'mutated read';
        const [listed] = await storage.getCovers(['learn-rust-00000001']);
        if (listed?.attribution) listed.attribution.sourceUrl = 'mutated list';
        const [due] = await storage.listDueCovers({ now: fixtureEpochMs, staleBefore: coverAt(100), limit: 10 });
        expect(due).toEqual(stored);
        if (due?.attribution) due.attribution.authorUrl = 'mutated due';
        expect(await storage.getCover('learn-rust-00000001')).toEqual(stored);
        expect(stored.attribution).toEqual(attribution);
      });
    });

    describe('returned values are copies', () => {
      it('mutating tasks read or written never changes what is stored', async () => {
        const record = makeTaskRecord();
        const original = structuredClone(record);
        const { task } = await storage.createTask(record);
        record.title = 'mutated input';
        record.failed_concepts.concept_ids.push('input');
        task.title = 'mutated result';
        task.progress.completed = 99;
        const read = present(await storage.getTask(original.task_id), 'the task');
        read.request.preferences.learning_goal = 'mutated read';
        const listed = (await storage.listTasks({})).tasks[0];
        listed?.failed_concepts.concept_ids.push('listed');
        expect(await storage.getTask(original.task_id)).toEqual(original);

        const acquired = present(await storage.acquireLease(original.task_id, lease('token')), 'a lease');
        const afterLease = structuredClone(acquired.task);
        acquired.task.lease_token = 'forged';
        const patch = { progress: { completed: 1, failed: 0, total: 3, percentage: 33 } };
        const updated = present(
          await storage.updateTask({ taskId: original.task_id, leaseToken: 'token' }, patch),
          'u',
        );
        patch.progress.completed = 3;
        updated.progress.failed = 7;
        expect(await storage.getTask(original.task_id)).toEqual({
          ...afterLease,
          progress: { completed: 1, failed: 0, total: 3, percentage: 33 },
        });
        const transitioned = present(
          await storage.transitionTask(original.task_id, { from: ['processing'], to: 'failed' }),
          'the task',
        );
        transitioned.status = 'completed';
        expect((await storage.getTask(original.task_id))?.status).toBe('failed');
      });

      it('mutating roadmaps, items, checkpoints and events never changes what is stored', async () => {
        const { task, fence } = await startTask();
        const roadmap = makeRoadmap({ roadmap_id: task.roadmap_id });
        await storage.saveRoadmap(fence, roadmap);
        const savedRoadmap = structuredClone(roadmap);
        roadmap.title = 'mutated input';
        const read = present(await storage.getRoadmap(roadmap.roadmap_id), 'the roadmap');
        read.stages[0]?.modules[0]?.concepts.pop();
        const listed = await storage.listRoadmaps(task.user_id);
        if (listed[0]) listed[0].title = 'mutated list';
        expect(await storage.getRoadmap(roadmap.roadmap_id)).toEqual(savedRoadmap);

        const [first] = conceptIdsOf(savedRoadmap) as [string];
        const tutorial = makeTutorial();
        await storage.saveItem(fence, { ...item(savedRoadmap, first, 'tutorial'), content: tutorial });
        tutorial.title = 'mutated input';
        const items = await storage.listItems(savedRoadmap.roadmap_id);
        const firstItem = present(items[0], 'an item');
        firstItem.status = 'failed';
        (firstItem.content as Tutorial).content = 'mutated read';
        expect((await storage.listItems(savedRoadmap.roadmap_id))[0]).toMatchObject({
          status: 'completed',
          content: makeTutorial(),
        });

        const value = { nested: { count: 1 } };
        await storage.saveCheckpoint(fence, 'step', value);
        value.nested.count = 2;
        const checkpoints = await storage.getCheckpoints(task.task_id);
        (checkpoints.step as typeof value).nested.count = 3;
        checkpoints.extra = true;
        expect(await storage.getCheckpoints(task.task_id)).toEqual({ step: { nested: { count: 1 } } });

        const event = makeEvent(task, 'original');
        const appended = present(await storage.appendEvent(event), 'the event');
        if (event.type === 'progress') event.message = 'mutated input';
        if (appended.type === 'progress') appended.progress.completed = 5;
        const [listedEvent] = await storage.listEvents({ taskId: task.task_id });
        if (listedEvent?.type === 'progress') listedEvent.message = 'mutated read';
        expect(await storage.listEvents({ taskId: task.task_id })).toEqual([
          { ...makeEvent(task, 'original'), seq: appended.seq },
        ]);
      });
    });
  });
}
