import { expect } from 'vitest';
import { isTerminalEvent, type RoadmapEvent } from '../../domain/events.js';
import { learnGo, leaseMs } from './conformanceWorld.js';
import type { EngineScenarioGroup } from './engineScenario.js';
import { resultOf, uninterruptedRun } from './uninterruptedRun.js';

/** A task from `generate` to `completed`, read back by a restarted process, and idempotent creation. */
export const generationScenarios: EngineScenarioGroup = {
  name: 'a task from generate to completed',
  scenarios: [
    {
      name: 'runs every step and item once, logs events in order, and stores what memory storage stores',
      async run(world) {
        const model = world.model();
        const engine = await world.engine(model);
        const emitted: RoadmapEvent[] = [];
        engine.subscribe((event) => emitted.push(event));
        const { task, created } = await engine.generate({ userId: 'u1', request: learnGo });
        expect(created).toBe(true);
        expect(task.status).toBe('pending');
        const end = await world.terminalEvent(engine, task.task_id);
        expect(end).toMatchObject({ type: 'completed', status: 'completed', failed_count: 0 });
        await world.quiet();

        const stored = await world.storage.getTask(task.task_id);
        const items = await world.storage.listItems(task.roadmap_id);
        expect(items.length).toBeGreaterThan(5);
        expect(items.every((item) => item.status === 'completed' && item.content !== null)).toBe(true);
        expect(stored).toMatchObject({
          status: 'completed',
          current_step: 'completed',
          progress: { completed: items.length, failed: 0, total: items.length, percentage: 100 },
          error_message: null,
          attempts: 1,
          lease_token: null,
          lease_expires_at: null,
        });
        for (const operation of ['intent_analysis', 'curriculum_design', 'structure_review'] as const) {
          expect(model.callCount({ operation })).toBe(1);
        }
        expect(model.callCount({ operation: 'roadmap_edit' })).toBe(0);
        for (const item of items) expect(model.callCount(`${item.kind}:${item.concept_id}`)).toBe(1);
        expect(model.calls).toHaveLength(3 + items.length);

        const events = await engine.listEvents({ taskId: task.task_id });
        const seqs = events.map((event) => event.seq);
        expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
        expect(events.filter((event) => event.type === 'progress').map((event) => event.step)).toEqual([
          'queued',
          'intent_analysis',
          'curriculum_design',
          'structure_validation',
          'content_generation',
        ]);
        expect(events.filter((event) => event.type === 'concept_complete')).toHaveLength(items.length);
        expect(events.filter(isTerminalEvent)).toEqual([end]);
        // Listeners get every stored event once. Not necessarily in `seq` order: appends that run concurrently on a
        // storage with a connection pool may answer out of order.
        expect([...emitted].sort((a, b) => a.seq - b.seq)).toEqual(events);

        const roadmap = await engine.getRoadmap(task.roadmap_id, { userId: 'u1' });
        const concepts = roadmap?.stages.flatMap((stage) => stage.modules.flatMap((module) => module.concepts)) ?? [];
        expect(concepts.length * 3).toBe(items.length);
        for (const concept of concepts) {
          expect(concept).toMatchObject({
            tutorial_status: 'completed',
            resources_status: 'completed',
            quiz_status: 'completed',
          });
        }
        const listed = await engine.listTasks({ userId: 'u1' });
        expect(listed.tasks.map((entry) => entry.task_id)).toEqual([task.task_id]);
        expect(listed.counts.completed).toBe(1);
        expect((await engine.getUsage(task.task_id)).calls).toBe(model.calls.length);

        const reference = await uninterruptedRun();
        expect(stored).toEqual(reference.task);
        expect(await resultOf(world.storage, task.roadmap_id)).toEqual(reference.result);
        expect(world.errors).toEqual([]);
      },
    },
    {
      name: 'a restarted process finds the task, roadmap, items, events and checkpoints, and asks the model nothing',
      async run(world) {
        const modelA = world.model();
        const engineA = await world.engine(modelA);
        const { task } = await engineA.generate({ userId: 'u1', request: learnGo });
        await world.terminalEvent(engineA, task.task_id);
        const read = async (storage = world.storage) => ({
          task: await storage.getTask(task.task_id),
          roadmap: await storage.getRoadmap(task.roadmap_id),
          items: await storage.listItems(task.roadmap_id),
          events: await storage.listEvents({ taskId: task.task_id }),
          checkpoints: await storage.getCheckpoints(task.task_id),
          tasks: (await storage.listTasks({ userId: 'u1' })).tasks,
        });
        const before = await read();
        await engineA.stop();
        await world.close(world.storage);
        const callsA = modelA.calls.length;

        const storageB = await world.reopen();
        const modelB = world.model();
        const engineB = await world.engine(modelB, { storage: storageB, queue: world.createQueue() });
        expect(await read(storageB)).toEqual(before);
        expect(await engineB.getTask(task.task_id, { userId: 'u1' })).toMatchObject({ status: 'completed' });
        expect(await engineB.getRoadmap(task.roadmap_id)).toEqual(before.roadmap);
        expect(await engineB.listEvents({ taskId: task.task_id })).toEqual(before.events);

        await world.clock.advance(2 * leaseMs);
        await world.quiet();
        expect(modelB.calls).toHaveLength(0);
        expect(modelA.calls).toHaveLength(callsA);
        expect(await read(storageB)).toEqual(before);
        expect(world.errors).toEqual([]);
      },
    },
    {
      name: '100 concurrent generate calls with one idempotency key create exactly one task',
      async run(world) {
        const engine = await world.engine(world.model(), { worker: false });
        const results = await Promise.all(
          Array.from({ length: 100 }, () =>
            engine.generate({ userId: 'u1', request: learnGo, idempotencyKey: 'key-1' }),
          ),
        );
        expect(results.filter((result) => result.created)).toHaveLength(1);
        expect(new Set(results.map((result) => result.task.task_id)).size).toBe(1);
        expect((await engine.listTasks({ userId: 'u1' })).total).toBe(1);
        expect(await engine.listEvents({ userId: 'u1' })).toHaveLength(1);

        const again = await engine.generate({ userId: 'u1', request: learnGo, idempotencyKey: 'key-1' });
        expect(again).toMatchObject({ created: false, task: { task_id: results[0]?.task.task_id } });
        const otherKey = await engine.generate({ userId: 'u1', request: learnGo, idempotencyKey: 'key-2' });
        const otherUser = await engine.generate({ userId: 'u2', request: learnGo, idempotencyKey: 'key-1' });
        expect([otherKey.created, otherUser.created]).toEqual([true, true]);
        expect((await engine.listTasks()).total).toBe(3);
      },
    },
  ],
};
