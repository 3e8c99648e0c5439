import { expect } from 'vitest';
import { isTerminalEvent } from '../../domain/events.js';
import { RoadmapError } from '../../shared/errors.js';
import { latestSeq } from '../engineHelpers.js';
import { frameworkOperations, learnGo } from './conformanceWorld.js';
import type { EngineScenarioGroup } from './engineScenario.js';
import { resultOf, uninterruptedRun } from './uninterruptedRun.js';

/** Retry of a whole task after failures or a cancel, and retry of one item. */
export const retryScenarios: EngineScenarioGroup = {
  name: 'retry',
  scenarios: [
    {
      name: 'after a partial failure, retry regenerates only the failed items and ends like an uninterrupted run',
      async run(world) {
        const fatal = new RoadmapError('model_error', 'content filter');
        const model = world.model({
          script: [
            { key: 'quiz:s1-m1-c1', fail: fatal, times: 1 },
            { key: 'tutorial:s2-m1-c2', fail: fatal, times: 1 },
          ],
        });
        const engine = await world.engine(model);
        const { task } = await engine.generate({ userId: 'u1', request: learnGo });
        const end = await world.terminalEvent(engine, task.task_id);
        expect(end).toMatchObject({ type: 'completed', status: 'partial_failure', failed_count: 2 });
        await world.quiet();
        const failedTask = await world.storage.getTask(task.task_id);
        expect(failedTask).toMatchObject({
          status: 'partial_failure',
          failed_concepts: { count: 2, concept_ids: ['s1-m1-c1', 's2-m1-c2'] },
          lease_token: null,
        });
        expect(failedTask?.error_message).toMatch(/2 of \d+ content items failed/);
        expect(failedTask?.progress).toMatchObject({ failed: 2 });
        const failedItems = (await world.storage.listItems(task.roadmap_id)).filter((item) => item.status === 'failed');
        expect(failedItems.map((item) => `${item.kind}:${item.concept_id}`).sort()).toEqual([
          'quiz:s1-m1-c1',
          'tutorial:s2-m1-c2',
        ]);
        expect(failedItems.every((item) => item.error === 'content filter')).toBe(true);
        const roadmap = await engine.getRoadmap(task.roadmap_id);
        expect(roadmap?.stages[0]?.modules[0]?.concepts[0]?.quiz_status).toBe('failed');

        const callsBefore = model.calls.length;
        const mark = await latestSeq(engine, task.task_id);
        const retried = await engine.retry(task.task_id, { userId: 'u1' });
        expect(retried.itemsToRetry).toBe(2);
        expect(retried.task.status).toBe('pending');
        expect(await world.terminalEvent(engine, task.task_id, mark)).toMatchObject({
          type: 'completed',
          failed_count: 0,
        });
        await world.quiet();
        expect(
          model.calls
            .slice(callsBefore)
            .map((call) => call.key)
            .sort(),
        ).toEqual(['quiz:s1-m1-c1', 'tutorial:s2-m1-c2']);
        expect(await world.storage.getTask(task.task_id)).toMatchObject({
          status: 'completed',
          error_message: null,
          failed_concepts: { count: 0, concept_ids: [] },
          attempts: 1,
        });
        const terminal = (await world.storage.listEvents({ taskId: task.task_id })).filter(isTerminalEvent);
        expect(terminal.map((event) => event.type)).toEqual(['completed', 'completed']);
        expect(await resultOf(world.storage, task.roadmap_id)).toEqual((await uninterruptedRun()).result);
      },
    },
    {
      name: 'retryItem regenerates exactly one failed item of a finished task',
      async run(world) {
        const fatal = new RoadmapError('model_error', 'refused');
        const model = world.model({
          script: [
            { key: 'quiz:s1-m1-c1', fail: fatal, times: 1 },
            { key: 'resources:s1-m1-c2', fail: fatal, times: 1 },
          ],
        });
        const engine = await world.engine(model);
        const { task } = await engine.generate({ userId: 'u1', request: learnGo });
        await world.terminalEvent(engine, task.task_id);
        await world.quiet();
        await expect(engine.retryItem(task.roadmap_id, 's1-m1-c1', 'tutorial')).rejects.toMatchObject({
          code: 'item_not_retryable',
        });
        await expect(engine.retryItem(task.roadmap_id, 'nope', 'quiz')).rejects.toMatchObject({ code: 'not_found' });
        const callsBefore = model.calls.length;
        const mark = await latestSeq(engine, task.task_id);
        await engine.retryItem(task.roadmap_id, 's1-m1-c1', 'quiz', { userId: 'u1' });
        const end = await world.terminalEvent(engine, task.task_id, mark);
        await world.quiet();
        expect(model.calls.slice(callsBefore).map((call) => call.key)).toEqual(['quiz:s1-m1-c1']);
        expect(end).toMatchObject({ type: 'completed', status: 'partial_failure', failed_count: 1 });
        const [quiz] = await world.storage.listItems(task.roadmap_id, 's1-m1-c1').then((items) => {
          return items.filter((item) => item.kind === 'quiz');
        });
        expect(quiz).toMatchObject({ status: 'completed', error: null });
        const [resources] = await world.storage.listItems(task.roadmap_id, 's1-m1-c2').then((items) => {
          return items.filter((item) => item.kind === 'resources');
        });
        expect(resources).toMatchObject({ status: 'failed', content: null });
        expect(await world.storage.getTask(task.task_id)).toMatchObject({
          status: 'partial_failure',
          failed_concepts: { count: 1, concept_ids: ['s1-m1-c2'] },
        });
      },
    },
    {
      name: 'a task failed by the failure threshold can be retried to completed, asking only the failed items',
      async run(world) {
        const fatal = new RoadmapError('model_error', 'down');
        const model = world.model({
          script: [
            { operation: 'quiz', fail: fatal },
            { operation: 'resources', fail: fatal },
          ],
        });
        const engine = await world.engine(model);
        const { task } = await engine.generate({ userId: 'u1', request: learnGo });
        const end = await world.terminalEvent(engine, task.task_id);
        expect(end).toMatchObject({ type: 'failed', step: 'content_generation' });
        await world.quiet();
        expect(await world.storage.getTask(task.task_id)).toMatchObject({ status: 'failed', current_step: 'failed' });
        const failedKeys = (await world.storage.listItems(task.roadmap_id))
          .filter((item) => item.status === 'failed')
          .map((item) => `${item.kind}:${item.concept_id}`);
        expect(failedKeys.length).toBeGreaterThan(0);

        const fixed = world.model();
        const second = await world.engine(fixed);
        await engine.stop();
        const mark = await latestSeq(second, task.task_id);
        expect((await second.retry(task.task_id)).itemsToRetry).toBe(failedKeys.length);
        expect(await world.terminalEvent(second, task.task_id, mark)).toMatchObject({
          type: 'completed',
          failed_count: 0,
        });
        expect(fixed.calls.map((call) => call.key).sort()).toEqual([...failedKeys].sort());
        expect(await resultOf(world.storage, task.roadmap_id)).toEqual((await uninterruptedRun()).result);
      },
    },
    {
      name: 'retry of a cancelled task resumes it: kept items and steps get 0 model calls',
      async run(world) {
        const model = world.model();
        const removeHang = model.addRule({ operation: 'quiz', hang: true });
        const engine = await world.engine(model);
        const { task } = await engine.generate({ userId: 'u1', request: learnGo });
        await model.waitForCalls(2, { operation: 'quiz' });
        await world.waitUntil('the first items are stored', async () => {
          const items = await world.storage.listItems(task.roadmap_id);
          return items.filter((item) => item.status === 'completed').length === 4;
        });
        await engine.cancel(task.task_id, { userId: 'u1' });
        await world.quiet();
        const kept = (await world.storage.listItems(task.roadmap_id)).filter((item) => item.status === 'completed');
        removeHang();

        const callsBefore = model.calls.length;
        const mark = await latestSeq(engine, task.task_id);
        const retried = await engine.retry(task.task_id, { userId: 'u1' });
        expect(retried.task.status).toBe('pending');
        expect(await world.terminalEvent(engine, task.task_id, mark)).toMatchObject({ type: 'completed' });
        await world.quiet();
        const calls = model.calls.slice(callsBefore);
        for (const operation of frameworkOperations) {
          expect(calls.filter((call) => call.operation === operation)).toEqual([]);
        }
        for (const item of kept) {
          expect(calls.filter((call) => call.key === `${item.kind}:${item.concept_id}`)).toEqual([]);
        }
        const items = await world.storage.listItems(task.roadmap_id);
        expect(calls).toHaveLength(items.length - kept.length);
        expect(await world.storage.getTask(task.task_id)).toMatchObject({ status: 'completed', cancel_reason: null });
        expect(await resultOf(world.storage, task.roadmap_id)).toEqual((await uninterruptedRun()).result);
      },
    },
  ],
};
