import { beforeEach, describe, expect, it } from 'vitest';
import type { NewRoadmapEvent, RoadmapEvent } from '../../domain/events.js';
import { type Concept, contentKinds, type ItemStatus, type Tutorial } from '../../domain/schemas.js';
import { isoTime } from '../../shared/clock.js';
import type { CheckpointStore } from '../../storage/checkpointStore.js';
import type { EventStore } from '../../storage/eventStore.js';
import type { TaskStore } from '../../storage/taskStore.js';
import type { ManualClock } from '../manualClock.js';
import {
  conceptIdsOf,
  fixtureEpochMs,
  fixtureUuid,
  makeConcept,
  makeEvent,
  makeQuiz,
  makeResources,
  makeRoadmap,
  makeTutorial,
  writeToResult,
} from './fixtures.js';
import {
  leaseMs,
  present,
  roadmapSteps,
  type StorageFactory,
  type StorageHarness,
  taskSteps,
  useStorage,
} from './harness.js';

/** What the checkpoint part's suite runs on: its writes are fenced by the task part's leases. */
export type CheckpointStoreUnderTest = TaskStore & CheckpointStore;

/**
 * Registers the tests of {@link CheckpointStore} (checkpoints, roadmaps and content items) in the current
 * `describe`, against the harness's storage: fenced writes, item planning, derived concept statuses, task patches
 * written with their item, resets.
 */
export function describeCheckpointStore(harness: StorageHarness<CheckpointStoreUnderTest>): void {
  let storage: CheckpointStoreUnderTest;
  let clock: ManualClock;
  beforeEach(() => {
    storage = harness.storage;
    clock = harness.clock;
  });
  const { lease, startTask, cancel } = taskSteps(harness);
  const { startWithRoadmap, item, statusesOf } = roadmapSteps(harness);

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

    it('saveRoadmap refuses a roadmap id its task does not hold, and never re-owns a stored roadmap', async () => {
      const { roadmap: theirs } = await startWithRoadmap();
      const { task, fence } = await startTask({ user_id: 'user-2' }, 'lease-2');
      // Another task's id, for another user: refused, and the stored roadmap keeps its owner and body.
      const stolen = makeRoadmap({ roadmap_id: theirs.roadmap_id, user_id: task.user_id, title: 'Stolen' });
      await expect(storage.saveRoadmap(fence, stolen)).rejects.toMatchObject({ code: 'roadmap_id_taken' });
      expect(await storage.getRoadmap(theirs.roadmap_id)).toEqual(theirs);
      // Its own id under another user's name: refused too.
      const misowned = makeRoadmap({ roadmap_id: task.roadmap_id, user_id: 'user-1' });
      await expect(storage.saveRoadmap(fence, misowned)).rejects.toMatchObject({ code: 'roadmap_id_taken' });
      expect(await storage.getRoadmap(task.roadmap_id)).toBeNull();
      // A stale fence is still a plain `false`, not a conflict.
      const own = makeRoadmap({ roadmap_id: task.roadmap_id, user_id: task.user_id });
      expect(await storage.saveRoadmap({ ...fence, leaseToken: 'stale' }, own)).toBe(false);
      expect(await storage.saveRoadmap(fence, own)).toBe(true);
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

    describe('listRoadmapSummaries', () => {
      /** Saves a roadmap of `userId` created `seconds` after the fixture epoch; returns its id and task. */
      const saveAt = async (userId: string, seconds: number, token: string) => {
        const { task, fence } = await startTask({ user_id: userId }, token);
        const roadmap = makeRoadmap({
          roadmap_id: task.roadmap_id,
          user_id: userId,
          title: `Roadmap ${token}`,
          created_at: isoTime(fixtureEpochMs + seconds * 1_000),
        });
        expect(await storage.saveRoadmap(fence, roadmap)).toBe(true);
        return { roadmap, fence, task };
      };
      const idsOf = (summaries: readonly { roadmap_id: string }[]) => summaries.map((entry) => entry.roadmap_id);

      it('pages newest first by (created_at, roadmap_id) descending, ties included, until an empty page', async () => {
        const saved = [];
        for (const [index, seconds] of [10, 20, 20, 20, 30].entries()) {
          saved.push((await saveAt('user-a', seconds, `a-${index}`)).roadmap);
        }
        await saveAt('user-b', 25, 'b-0');
        const expected = [...saved]
          .sort((a, b) =>
            a.created_at === b.created_at
              ? b.roadmap_id.localeCompare(a.roadmap_id)
              : b.created_at.localeCompare(a.created_at),
          )
          .map((roadmap) => roadmap.roadmap_id);

        const seen: string[] = [];
        let after: { created_at: string; roadmap_id: string } | undefined;
        const pageSizes: number[] = [];
        for (;;) {
          const page = await storage.listRoadmapSummaries({ userId: 'user-a', limit: 2, ...(after ? { after } : {}) });
          pageSizes.push(page.length);
          if (page.length === 0) break;
          seen.push(...idsOf(page));
          const last = page.at(-1) as { created_at: string; roadmap_id: string };
          after = { created_at: last.created_at, roadmap_id: last.roadmap_id };
        }
        expect(seen).toEqual(expected);
        expect(pageSizes).toEqual([2, 2, 1, 0]);
        expect(idsOf(await storage.listRoadmapSummaries({ userId: 'user-a', limit: 100 }))).toEqual(expected);
        expect(await storage.listRoadmapSummaries({ userId: 'nobody', limit: 50 })).toEqual([]);
      });

      it('counts concepts from the items and carries the title, created_at and the task', async () => {
        const done = await saveAt('user-a', 10, 'done');
        const [first, second] = conceptIdsOf(done.roadmap) as [string, string];
        for (const kind of contentKinds) {
          const content = kind === 'tutorial' ? makeTutorial() : kind === 'resources' ? makeResources(3) : makeQuiz();
          expect(await storage.saveItem(done.fence, { ...item(done.roadmap, first, kind), content })).toBe(true);
        }
        const partial = { ...item(done.roadmap, second, 'tutorial'), content: makeTutorial() };
        expect(await storage.saveItem(done.fence, partial)).toBe(true);
        const stopped = await saveAt('user-a', 20, 'stopped');
        await cancel(stopped.task.task_id);

        const summaries = await storage.listRoadmapSummaries({ userId: 'user-a', limit: 50 });
        const concepts = conceptIdsOf(done.roadmap).length;
        expect(summaries).toEqual([
          {
            roadmap_id: stopped.roadmap.roadmap_id,
            title: 'Roadmap stopped',
            total_concepts: concepts,
            completed_concepts: 0,
            task_id: stopped.task.task_id,
            task_status: 'cancelled',
            created_at: stopped.roadmap.created_at,
          },
          {
            roadmap_id: done.roadmap.roadmap_id,
            title: 'Roadmap done',
            total_concepts: concepts,
            completed_concepts: 1,
            task_id: done.task.task_id,
            task_status: 'processing',
            created_at: done.roadmap.created_at,
          },
        ]);
      });
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
      expect((await storage.listItems(two.roadmap.roadmap_id)).every((entry) => entry.status === 'pending')).toBe(true);
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

      it('marks the matching items failed with an error instead, when asked (an interrupted item kept)', async () => {
        const { task, roadmap, first } = await prepare();
        await cancel(task.task_id);
        const outcome = { status: 'failed', error: 'Interrupted: the partial tutorial is kept' } as const;
        expect(
          await storage.resetItems(roadmap.roadmap_id, { statuses: ['generating'], conceptId: first }, outcome),
        ).toBe(1);
        const [, resources] = await storage.listItems(roadmap.roadmap_id, first);
        expect(resources).toMatchObject({ kind: 'resources', status: 'failed', error: outcome.error, content: null });
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

  describe('leases', () => {
    it('fences out a worker whose lease was taken over', async () => {
      const now = clock.now();
      const { roadmap, fence: first } = await startWithRoadmap();
      const second = { taskId: first.taskId, leaseToken: 'second' };
      await storage.acquireLease(first.taskId, lease('second', now + leaseMs));
      const [conceptId] = conceptIdsOf(roadmap) as [string];

      expect(await storage.saveItem(first, { ...item(roadmap, conceptId, 'tutorial'), content: makeTutorial() })).toBe(
        false,
      );
      expect(await storage.saveCheckpoint(first, 'intent', { stale: true })).toBe(false);

      expect(await storage.saveCheckpoint(second, 'intent', { fresh: true })).toBe(true);
      expect(await storage.getCheckpoints(first.taskId)).toEqual({ intent: { fresh: true } });
    });

    it('a paused task’s holder still stores its calls in flight (SPEC §7); once the lease is cleared, nothing', async () => {
      const { task, roadmap, fence } = await startWithRoadmap();
      const [first, second] = conceptIdsOf(roadmap) as [string, string];
      expect(await storage.transitionTask(task.task_id, { from: ['processing'], to: 'paused' })).not.toBeNull();
      expect(await storage.saveItem(fence, { ...item(roadmap, first, 'tutorial'), content: makeTutorial() })).toBe(
        true,
      );
      expect(await storage.saveCheckpoint(fence, 'usage', { calls: 1 })).toBe(true);
      expect(await storage.releaseLease(fence)).toBe(true);
      expect(await storage.saveItem(fence, { ...item(roadmap, second, 'tutorial'), content: makeTutorial() })).toBe(
        false,
      );
      const statuses = (await storage.listItems(roadmap.roadmap_id)).filter((entry) => entry.kind === 'tutorial');
      expect(statuses.map((entry) => entry.status)).toEqual(['completed', 'pending']);
      expect(await storage.getTask(task.task_id)).toMatchObject({ status: 'paused', lease_token: null });
    });
  });

  describe('item versions (SPEC §7, regenerate with feedback)', () => {
    it('stores versions per item, lists them oldest first, replaces a version by number', async () => {
      const { roadmap, fence } = await startWithRoadmap();
      const [first, second] = conceptIdsOf(roadmap) as [string, string];
      const key = { roadmapId: roadmap.roadmap_id, conceptId: first, kind: 'tutorial' as const };
      const original = makeTutorial({ title: 'Original' });
      const shorter = makeTutorial({ title: 'Shorter', content: "It's shorter: $1, \\ and 漢字." });
      const base = { roadmap_id: roadmap.roadmap_id, concept_id: first, kind: 'tutorial' as const };
      await storage.saveItemVersion({
        ...base,
        version: 2,
        created_at: isoTime(fixtureEpochMs + 2),
        feedback: 'Shorter',
        content: null,
      });
      await storage.saveItemVersion({
        ...base,
        version: 1,
        created_at: isoTime(fixtureEpochMs + 1),
        feedback: null,
        content: original,
      });
      expect(
        (await storage.listItemVersions(key)).map((entry) => [entry.version, entry.feedback, entry.content]),
      ).toEqual([
        [1, null, original],
        [2, 'Shorter', null],
      ]);
      await storage.saveItemVersion({
        ...base,
        version: 2,
        created_at: isoTime(fixtureEpochMs + 3),
        feedback: 'Shorter',
        content: shorter,
      });
      const listed = await storage.listItemVersions(key);
      expect(listed).toEqual([
        { ...base, version: 1, created_at: isoTime(fixtureEpochMs + 1), feedback: null, content: original },
        { ...base, version: 2, created_at: isoTime(fixtureEpochMs + 3), feedback: 'Shorter', content: shorter },
      ]);
      expect(await storage.listItemVersions({ ...key, conceptId: second })).toEqual([]);
      expect(await storage.listItemVersions({ ...key, kind: 'quiz' })).toEqual([]);

      // A restore sets a completed item's content; a pending item is left alone.
      expect(await storage.restoreItemContent(key, original)).toBe(false);
      expect(await storage.saveItem(fence, { ...item(roadmap, first, 'tutorial'), content: shorter })).toBe(true);
      expect(await storage.restoreItemContent(key, original)).toBe(true);
      const [restored] = (await storage.listItems(roadmap.roadmap_id, first)).filter(
        (entry) => entry.kind === 'tutorial',
      );
      expect(restored).toMatchObject({ status: 'completed', content: original });
    });
  });

  describe('returned values are copies', () => {
    it('mutating roadmaps, items and checkpoints never changes what is stored', async () => {
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
      writeToResult(() => {
        (firstItem.content as Tutorial).content = 'mutated read';
      });
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
    });
  });

  describe('item writes with their event', () => {
    /** The log of a storage that has the event part too (`runStorageConformance`); `undefined` without one. */
    const eventLog = async (taskId: string): Promise<RoadmapEvent[] | undefined> => {
      const events = storage as Partial<EventStore>;
      return events.listEvents ? events.listEvents({ taskId }) : undefined;
    };
    const eventOf = (task: { task_id: string; user_id: string }, message: string): NewRoadmapEvent =>
      makeEvent(task, message);

    it('setItemStatus and saveItem store the event with the item and task patch, and return it with its seq', async () => {
      const { task, roadmap, fence } = await startWithRoadmap();
      const [first] = conceptIdsOf(roadmap) as [string];
      const started = eventOf(task, 'started');
      const marked = await storage.setItemStatus(
        fence,
        item(roadmap, first, 'tutorial'),
        'generating',
        undefined,
        undefined,
        started,
      );
      expect(marked).toEqual({ ...started, seq: expect.any(Number) });

      const failedEvent = eventOf(task, 'failed');
      const patch = { progress: { completed: 0, failed: 1, total: 6, percentage: 17 } };
      const failed = await storage.setItemStatus(
        fence,
        item(roadmap, first, 'quiz'),
        'failed',
        'bad',
        patch,
        failedEvent,
      );
      expect(failed).toEqual({ ...failedEvent, seq: expect.any(Number) });

      const savedEvent = eventOf(task, 'saved');
      const saved = await storage.saveItem(
        fence,
        { ...item(roadmap, first, 'tutorial'), content: makeTutorial() },
        { progress: { completed: 1, failed: 1, total: 6, percentage: 33 } },
        savedEvent,
      );
      expect(saved).toEqual({ ...savedEvent, seq: expect.any(Number) });

      const seqs = [marked, failed, saved].map((written) => (written as RoadmapEvent).seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(new Set(seqs).size).toBe(3);
      expect((await storage.getTask(task.task_id))?.progress).toEqual({
        completed: 1,
        failed: 1,
        total: 6,
        percentage: 33,
      });
      expect(statusesOf(await storage.listItems(roadmap.roadmap_id, first))).toEqual([
        `${first}/tutorial:completed`,
        `${first}/resources:pending`,
        `${first}/quiz:failed`,
      ]);
      const log = await eventLog(task.task_id);
      if (log) expect(log.slice(-3)).toEqual([marked, failed, saved]);
    });

    it('stores no event when the item write is rejected (stale token, cancelled task, unknown item)', async () => {
      const { task, roadmap, fence } = await startWithRoadmap();
      const [first] = conceptIdsOf(roadmap) as [string];
      const before = await eventLog(task.task_id);
      const stale = { ...fence, leaseToken: 'stale' };
      const tutorial = { ...item(roadmap, first, 'tutorial'), content: makeTutorial() };
      const unknown = { ...item(roadmap, 'no-such-concept', 'tutorial'), content: makeTutorial() };
      const event = eventOf(task, 'should not be stored');

      expect(await storage.setItemStatus(stale, item(roadmap, first, 'quiz'), 'failed', 'x', undefined, event)).toBe(
        false,
      );
      expect(await storage.saveItem(stale, tutorial, undefined, event)).toBe(false);
      expect(await storage.setItemStatus(fence, unknown, 'generating', undefined, undefined, event)).toBe(false);
      expect(await storage.saveItem(fence, unknown, { title: 'not written' }, event)).toBe(false);
      const kept = eventOf(task, 'stored once');
      const accepted = await storage.setItemStatus(
        fence,
        item(roadmap, first, 'quiz'),
        'generating',
        undefined,
        undefined,
        kept,
      );
      expect(accepted).toEqual({ ...kept, seq: expect.any(Number) });
      await cancel(task.task_id);
      expect(await storage.saveItem(fence, tutorial, undefined, event)).toBe(false);

      const after = await eventLog(task.task_id);
      if (after && before) {
        const messages = new Set(['should not be stored', 'stored once']);
        const written = after.filter((stored) => stored.type === 'progress' && messages.has(stored.message));
        expect(written).toEqual([accepted]);
      }
      expect(statusesOf(await storage.listItems(roadmap.roadmap_id, first))).toEqual([
        `${first}/tutorial:pending`,
        `${first}/resources:pending`,
        `${first}/quiz:generating`,
      ]);
    });
  });
}

/**
 * Registers vitest tests that check every documented contract of {@link CheckpointStore}; the storage also needs
 * the task part, whose leases fence every write. `runStorageConformance` runs them with the other parts.
 *
 * @example
 * runCheckpointStoreConformance('my storage', () => ({ storage: createMyStorage() }));
 */
export function runCheckpointStoreConformance(
  name: string,
  createStorage: StorageFactory<CheckpointStoreUnderTest>,
): void {
  describe(`${name}: CheckpointStore conformance`, () => {
    describeCheckpointStore(useStorage(createStorage));
  });
}
