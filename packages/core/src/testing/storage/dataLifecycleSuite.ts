import { beforeEach, describe, expect, it } from 'vitest';
import type { NewRoadmapEvent } from '../../domain/events.js';
import type { TaskRecord, TaskStatus } from '../../domain/task.js';
import { isoTime } from '../../shared/clock.js';
import type { Storage } from '../../storage/storage.js';
import type { LeaseFence } from '../../storage/taskStore.js';
import { fixtureEpochMs, fixtureUuid, makeEvent, makeQuiz, makeRoadmap, makeTutorial } from './fixtures.js';
import { present, type StorageHarness, taskSteps } from './harness.js';

/** What one seeded task holds: its ids, and the blob key of its cover (`null` without a roadmap). */
interface SeededTask {
  task: TaskRecord;
  fence: LeaseFence;
  blobKey: string | null;
}

/** The shapes a seeded task can take: a status, with or without a stored roadmap. */
type Seed = 'completed' | 'processing' | 'pending' | 'cancelled' | 'paused' | 'failed_before_roadmap';

/**
 * Registers the tests of {@link DataLifecycleStore} in the current `describe` (run by `runStorageConformance`): a
 * deleted task is in no query and never comes back; erasing a user leaves nothing of them in any query (and, with
 * the fixture's `residue`, in any table) while another user's data is untouched; it can be repeated; checkpoints
 * are pruned only for finished tasks with a stored roadmap, and never partial tutorial text.
 */
export function describeDataLifecycle(harness: StorageHarness<Storage>): void {
  let storage: Storage;
  beforeEach(() => {
    storage = harness.storage;
  });
  const { createTask, startTask } = taskSteps(harness);
  let reservationNumber = 0;

  /** A task of `userId` in the shape `seed`, holding every kind of data that shape can have. */
  const seedTask = async (userId: string, seed: Seed): Promise<SeededTask> => {
    if (seed === 'pending') {
      const task = await createTask({ user_id: userId, idempotency_key: `key-${userId}` });
      await storage.appendEvent(makeEvent(task, 'queued'));
      return { task, fence: { taskId: task.task_id, leaseToken: 'none' }, blobKey: null };
    }
    const { task, fence } = await startTask({ user_id: userId }, `lease-${userId}-${seed}`);
    await storage.saveCheckpoint(fence, 'intent', { goal: 'TypeScript' });
    await storage.appendEvent(makeEvent(task), fence);
    reservationNumber += 1;
    const reservationId = fixtureUuid(700_000 + reservationNumber);
    const reservation = {
      reservation_id: reservationId,
      task_id: task.task_id,
      user_id: userId,
      period_start: isoTime(fixtureEpochMs),
      reserved_usd: 0.5,
      created_at: isoTime(fixtureEpochMs),
    };
    expect(await storage.reserveBudget(fence, reservation, { user_usd: null, task_usd: null })).toEqual({
      reserved: true,
    });
    await storage.settleBudget(reservationId, 0.25);
    await storage.addTaskUsage(task.task_id, { calls: 2, input_tokens: 100, output_tokens: 50, cost_usd: 0.25 });
    let blobKey: string | null = null;
    if (seed !== 'failed_before_roadmap') {
      const roadmap = makeRoadmap(
        { roadmap_id: task.roadmap_id, user_id: userId },
        { stages: 1, conceptsPerModule: 2 },
      );
      expect(await storage.saveRoadmap(fence, roadmap)).toBe(true);
      const tutorial = { roadmapId: task.roadmap_id, conceptId: 'concept-1', kind: 'tutorial' as const };
      const event: NewRoadmapEvent = { ...makeEvent(task, 'tutorial done') };
      expect(await storage.saveItem(fence, { ...tutorial, content: makeTutorial() }, {}, event)).toMatchObject({
        type: 'progress',
      });
      await storage.setItemStatus(fence, { ...tutorial, conceptId: 'concept-2' }, 'failed', 'model refused');
      await storage.saveItem(fence, { ...tutorial, kind: 'quiz', content: makeQuiz() });
      await storage.saveItemVersion({
        roadmap_id: task.roadmap_id,
        concept_id: 'concept-1',
        kind: 'tutorial',
        version: 1,
        created_at: isoTime(fixtureEpochMs),
        feedback: null,
        content: makeTutorial(),
      });
      await storage.saveCheckpoint(fence, 'partial:tutorial:concept-2', 'Half a tutorial');
      blobKey = `covers/${task.roadmap_id}.png`;
      await storage.ensureCover({
        roadmap_id: task.roadmap_id,
        user_id: userId,
        task_id: task.task_id,
        created_at: isoTime(fixtureEpochMs),
      });
      await storage.transitionCover(task.roadmap_id, {
        from: ['not_started'],
        to: 'success',
        patch: { blob_key: blobKey, cover_image_url: `/api/v1/cover-images/${task.roadmap_id}.png` },
      });
    }
    const to: TaskStatus | null =
      seed === 'processing' ? null : seed === 'failed_before_roadmap' ? 'failed' : (seed as TaskStatus);
    if (to !== null) {
      const moved = await storage.transitionTask(task.task_id, {
        from: ['processing'],
        to,
        ...(to === 'paused' ? {} : { patch: { lease_token: null, lease_expires_at: null } }),
      });
      expect(moved?.task.status).toBe(to);
    }
    return { task: present(await storage.getTask(task.task_id), 'the seeded task'), fence, blobKey };
  };

  const seeds: readonly Seed[] = ['completed', 'processing', 'pending', 'cancelled', 'paused', 'failed_before_roadmap'];
  const seedUser = async (userId: string) => {
    const tasks: SeededTask[] = [];
    for (const seed of seeds) tasks.push(await seedTask(userId, seed));
    return tasks;
  };

  /**
   * Everything the queries show of `tasks` of one user: compared before and after to prove it untouched. (The user's
   * lists are narrowed to those tasks, so that deleting another of the user's tasks shows only as its absence.)
   */
  const snapshotOf = async (userId: string, tasks: readonly SeededTask[]) => ({
    tasks: (await storage.listTasks({ userId, limit: 100 })).tasks.filter((task) =>
      tasks.some((seeded) => seeded.task.task_id === task.task_id),
    ),
    roadmaps: (await storage.listRoadmaps(userId)).filter((roadmap) =>
      tasks.some((seeded) => seeded.task.roadmap_id === roadmap.roadmap_id),
    ),
    summaries: (await storage.listRoadmapSummaries({ userId, limit: 100 })).filter((summary) =>
      tasks.some((seeded) => seeded.task.roadmap_id === summary.roadmap_id),
    ),
    events: (await storage.listEvents({ userId })).filter((event) =>
      tasks.some((seeded) => seeded.task.task_id === event.task_id),
    ),
    covers: (await storage.getCovers(tasks.map(({ task }) => task.roadmap_id))).sort((a, b) =>
      a.roadmap_id < b.roadmap_id ? -1 : 1,
    ),
    perTask: await Promise.all(
      tasks.map(async ({ task }) => ({
        task: await storage.getTask(task.task_id),
        checkpoints: await storage.getCheckpoints(task.task_id),
        items: await storage.listItems(task.roadmap_id),
        versions: await storage.listItemVersions({
          roadmapId: task.roadmap_id,
          conceptId: 'concept-1',
          kind: 'tutorial',
        }),
        charge: await storage.taskBudgetCharge(task.task_id),
      })),
    ),
    blobs: await storage.listBlobDeletions({ userId, limit: 100 }),
  });

  /** Proves through every query, and every table when the fixture can tell, that nothing of the user is left. */
  const expectNothingOf = async (userId: string, tasks: readonly SeededTask[]) => {
    expect(await storage.listTasks({ userId, limit: 100 })).toMatchObject({ tasks: [], total: 0 });
    expect(await storage.listRoadmaps(userId)).toEqual([]);
    expect(await storage.listRoadmapSummaries({ userId, limit: 100 })).toEqual([]);
    expect(await storage.listEvents({ userId })).toEqual([]);
    expect(await storage.listUserTaskIds({ userId, limit: 100 })).toEqual([]);
    expect(await storage.getCovers(tasks.map(({ task }) => task.roadmap_id))).toEqual([]);
    expect(await storage.userBudgetCharge(userId, isoTime(fixtureEpochMs))).toEqual({ spent_usd: 0, reserved_usd: 0 });
    expect(
      await storage.sumUsage({ userId, createdFrom: isoTime(0), createdBefore: isoTime(fixtureEpochMs * 2) }),
    ).toEqual({ calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 });
    for (const { task } of tasks) {
      expect(await storage.getTask(task.task_id)).toBeNull();
      expect(await storage.getRoadmap(task.roadmap_id)).toBeNull();
      expect(await storage.listItems(task.roadmap_id)).toEqual([]);
      expect(
        await storage.listItemVersions({ roadmapId: task.roadmap_id, conceptId: 'concept-1', kind: 'tutorial' }),
      ).toEqual([]);
      expect(await storage.getCheckpoints(task.task_id)).toEqual({});
      expect(await storage.listEvents({ taskId: task.task_id })).toEqual([]);
      expect(await storage.getCover(task.roadmap_id)).toBeNull();
      expect(await storage.taskBudgetCharge(task.task_id)).toEqual({ spent_usd: 0, reserved_usd: 0 });
      expect(await storage.listTasks({ roadmapId: task.roadmap_id })).toMatchObject({ total: 0 });
    }
    if (harness.residue) expect(await harness.residue(residueQuery(userId, tasks))).toEqual({});
  };

  const residueQuery = (userId: string, tasks: readonly SeededTask[]) => ({
    userIds: [userId],
    taskIds: tasks.map(({ task }) => task.task_id),
    roadmapIds: tasks.map(({ task }) => task.roadmap_id),
    blobKeys: tasks.flatMap(({ blobKey }) => (blobKey === null ? [] : [blobKey])),
  });

  /** Deletes every task of the user (pages of 2) and then what remains, as the engine's `deleteUser` does. */
  const eraseUser = async (userId: string) => {
    const totals = { tasks: 0, roadmaps: 0, items: 0, events: 0, covers: 0, reservations: 0 };
    for (;;) {
      const page = await storage.listUserTaskIds({ userId, limit: 2 });
      if (page.length === 0) break;
      for (const taskId of page) {
        const removed = present(await storage.deleteTask(taskId), `the deletion of ${taskId}`);
        for (const key of ['tasks', 'roadmaps', 'items', 'events', 'covers'] as const)
          totals[key] += removed.deleted[key];
      }
    }
    for (;;) {
      const remains = await storage.deleteUserRemains(userId, 2);
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += remains[key];
      if (Object.values(remains).every((count) => count === 0)) break;
    }
    return totals;
  };

  const deletedEvent = (task: TaskRecord): NewRoadmapEvent => ({
    type: 'deleted',
    task_id: task.task_id,
    user_id: task.user_id,
    timestamp: isoTime(fixtureEpochMs),
    roadmap_id: task.roadmap_id,
  });

  describe('data lifecycle', () => {
    it('deleteTask removes the task and everything of it from every query, queues its blob, and keeps only the event it is given', async () => {
      const [completed, ...others] = await seedUser('user-del-1');
      const { task, blobKey } = present(completed, 'the completed task');
      const stranger = await seedUser('user-del-2');
      const keptOwn = await snapshotOf('user-del-1', others);
      const keptStranger = await snapshotOf('user-del-2', stranger);

      const chargeBefore = await storage.userBudgetCharge('user-del-1', isoTime(fixtureEpochMs));
      const removed = present(await storage.deleteTask(task.task_id, { event: deletedEvent }), 'the deletion');
      expect(removed.task).toMatchObject({ task_id: task.task_id, user_id: 'user-del-1', status: 'completed' });
      expect(removed.deleted).toEqual({ tasks: 1, roadmaps: 1, items: 6, events: 2, covers: 1 });
      expect(removed.event).toMatchObject({ type: 'deleted', task_id: task.task_id, roadmap_id: task.roadmap_id });

      expect(await storage.getTask(task.task_id)).toBeNull();
      expect(await storage.getRoadmap(task.roadmap_id)).toBeNull();
      expect(await storage.listItems(task.roadmap_id)).toEqual([]);
      expect(await storage.getCheckpoints(task.task_id)).toEqual({});
      expect(await storage.getCover(task.roadmap_id)).toBeNull();
      // What the task spent still counts against the user's budget period: deleting gives no budget back.
      expect(await storage.taskBudgetCharge(task.task_id)).toEqual({ spent_usd: 0.25, reserved_usd: 0 });
      expect(await storage.userBudgetCharge('user-del-1', isoTime(fixtureEpochMs))).toEqual(chargeBefore);
      const listed = await storage.listTasks({ userId: 'user-del-1', limit: 100 });
      expect(listed.tasks.map((entry) => entry.task_id)).not.toContain(task.task_id);
      expect(listed.counts.completed).toBe(0);
      expect(listed.total).toBe(others.length);
      expect((await storage.listRoadmaps('user-del-1')).map((entry) => entry.roadmap_id)).not.toContain(
        task.roadmap_id,
      );
      // The only trace: the event passed in, with a new seq.
      expect(await storage.listEvents({ taskId: task.task_id })).toEqual([removed.event]);
      expect(await storage.listBlobDeletions({ userId: 'user-del-1', limit: 10 })).toEqual([
        { blob_key: blobKey, user_id: 'user-del-1' },
      ]);
      await storage.clearBlobDeletions([present(blobKey, 'the blob key')]);
      expect(await storage.listBlobDeletions({ limit: 10 })).toEqual([]);

      // Everything else of the user, and everything of another user, is as it was.
      expect(await snapshotOf('user-del-1', others)).toEqual(keptOwn);
      expect(await snapshotOf('user-del-2', stranger)).toEqual(keptStranger);
      expect(await storage.deleteTask(task.task_id)).toBeNull();
    });

    it('a deleted task never comes back: its old lease writes nothing, and a replay of the user stream shows only its deleted event', async () => {
      const { task, fence } = await seedTask('user-del-3', 'processing');
      const before = (await storage.listEvents({ userId: 'user-del-3' })).at(-1)?.seq ?? 0;
      const removed = present(await storage.deleteTask(task.task_id, { event: deletedEvent }), 'the deletion');
      const tutorial = { roadmapId: task.roadmap_id, conceptId: 'concept-2', kind: 'tutorial' as const };

      expect(await storage.saveCheckpoint(fence, 'curriculum', {})).toBe(false);
      expect(await storage.saveItem(fence, { ...tutorial, content: makeTutorial() })).toBe(false);
      expect(await storage.setItemStatus(fence, tutorial, 'generating')).toBe(false);
      expect(await storage.appendEvent(makeEvent(task), fence)).toBeNull();
      expect(await storage.updateTask(fence, { progress: task.progress })).toBeNull();
      expect(await storage.renewLease(fence, harness.clock.now() + 60_000)).toBe(false);
      expect(await storage.transitionTask(task.task_id, { from: ['processing'], to: 'cancelled' })).toBeNull();
      const now = harness.clock.now();
      expect(
        await storage.acquireLease(task.task_id, { token: 'again', now, expiresAt: now + 1, updatedAt: isoTime(now) }),
      ).toBeNull();
      expect(await storage.resetItems(task.roadmap_id, { statuses: ['failed', 'generating'] })).toBe(0);
      expect(await storage.getRoadmap(task.roadmap_id)).toBeNull();
      expect(await storage.listTasks({ userId: 'user-del-3' })).toMatchObject({ tasks: [], total: 0 });
      const replay = await storage.listEvents({ userId: 'user-del-3', after: 0 });
      expect(replay).toEqual([removed.event]);
      expect(present(removed.event, 'the deleted event').seq).toBeGreaterThan(before);
    });

    it('erasing a user (each task, then what remains, in small batches) leaves nothing of them in any query or table, and another user untouched', async () => {
      const erased = await seedUser('user-erase-1');
      const stranger = await seedUser('user-erase-2');
      // A task deleted earlier left its deleted event; a cover whose task is gone is left over too.
      const extra = await seedTask('user-erase-1', 'completed');
      await storage.deleteTask(extra.task.task_id, { event: deletedEvent });
      await storage.ensureCover({
        roadmap_id: 'learn-orphan-0000aaaa',
        user_id: 'user-erase-1',
        task_id: fixtureUuid(888_888),
        created_at: isoTime(fixtureEpochMs),
      });
      await storage.transitionCover('learn-orphan-0000aaaa', {
        from: ['not_started'],
        to: 'success',
        patch: { blob_key: 'covers/learn-orphan-0000aaaa.png' },
      });
      const keptStranger = await snapshotOf('user-erase-2', stranger);
      const strangerCharge = await storage.userBudgetCharge('user-erase-2', isoTime(fixtureEpochMs));
      if (harness.residue) {
        // The check below can see what it looks for: every kind of row is there before the erasure.
        const before = await harness.residue(residueQuery('user-erase-1', [...erased, extra]));
        expect(Object.keys(before).length).toBeGreaterThanOrEqual(8);
      }

      const totals = await eraseUser('user-erase-1');
      // Events: two of each task with a roadmap, one of each other task, and the deleted event of the earlier delete.
      // Reservations: one of each task that started (all but the pending one), kept by deleteTask, erased with the user.
      expect(totals).toEqual({ tasks: 6, roadmaps: 4, items: 24, events: 4 * 2 + 2 + 1, covers: 5, reservations: 6 });
      const queued = await storage.listBlobDeletions({ userId: 'user-erase-1', limit: 100 });
      const expectedKeys = [...erased, extra].flatMap(({ blobKey }) => (blobKey === null ? [] : [blobKey]));
      expect(queued.map((entry) => entry.blob_key).sort()).toEqual(
        [...expectedKeys, 'covers/learn-orphan-0000aaaa.png'].sort(),
      );
      await storage.clearBlobDeletions(queued.map((entry) => entry.blob_key));

      await expectNothingOf('user-erase-1', [...erased, extra]);
      expect(await snapshotOf('user-erase-2', stranger)).toEqual(keptStranger);
      expect(await storage.userBudgetCharge('user-erase-2', isoTime(fixtureEpochMs))).toEqual(strangerCharge);
      expect((await storage.listTasks({ userId: 'user-erase-2' })).total).toBe(stranger.length);
      // Idempotent: a second pass finds nothing.
      expect(await eraseUser('user-erase-1')).toEqual({
        tasks: 0,
        roadmaps: 0,
        items: 0,
        events: 0,
        covers: 0,
        reservations: 0,
      });
    });

    it('lists a user\u2019s task ids in pages, ascending, and only theirs', async () => {
      const mine = [await seedTask('user-page-1', 'pending'), await seedTask('user-page-1', 'processing')];
      await seedTask('user-page-2', 'processing');
      const ids = mine.map(({ task }) => task.task_id).sort();
      const first = await storage.listUserTaskIds({ userId: 'user-page-1', limit: 1 });
      expect(first).toEqual([ids[0]]);
      expect(await storage.listUserTaskIds({ userId: 'user-page-1', afterTaskId: first[0], limit: 5 })).toEqual([
        ids[1],
      ]);
    });

    it('prunes the checkpoints of finished tasks with a stored roadmap only, keeping partial tutorial text', async () => {
      const completed = await seedTask('user-prune', 'completed');
      const cancelled = await seedTask('user-prune', 'cancelled');
      const running = await seedTask('user-prune', 'processing');
      const early = await seedTask('user-prune', 'failed_before_roadmap');
      const prunable = [completed.task.task_id, cancelled.task.task_id].sort();

      expect(await storage.listPrunableCheckpointTasks({ limit: 10 })).toEqual(prunable);
      expect(await storage.listPrunableCheckpointTasks({ afterTaskId: prunable[0], limit: 10 })).toEqual([prunable[1]]);
      const ids = [completed, cancelled, running, early].map(({ task }) => task.task_id);
      expect(await storage.pruneCheckpoints(ids)).toBe(2);
      for (const { task } of [completed, cancelled]) {
        expect(await storage.getCheckpoints(task.task_id)).toEqual({ 'partial:tutorial:concept-2': 'Half a tutorial' });
      }
      expect(Object.keys(await storage.getCheckpoints(running.task.task_id)).sort()).toEqual([
        'intent',
        'partial:tutorial:concept-2',
      ]);
      // Failed before its roadmap was stored: a retry still needs its steps.
      expect(await storage.getCheckpoints(early.task.task_id)).toEqual({ intent: { goal: 'TypeScript' } });
      expect(await storage.listPrunableCheckpointTasks({ limit: 10 })).toEqual([]);
      expect(await storage.pruneCheckpoints(ids)).toBe(0);
      expect(await storage.pruneCheckpoints([])).toBe(0);
    });
  });
}
