import { expect } from 'vitest';
import { isTerminalEvent, type RoadmapEvent } from '../../domain/events.js';
import { learnGo } from './conformanceWorld.js';
import type { EngineScenarioGroup } from './engineScenario.js';

/** Cancel while pending and while processing, from the holder's engine or another one; refusals. */
export const cancellationScenarios: EngineScenarioGroup = {
  name: 'cancellation',
  scenarios: [
    {
      name: 'cancels a pending task before any worker touches it: no model call, one cancelled event',
      async run(world) {
        const model = world.model();
        const api = await world.engine(model, { worker: false });
        const { task } = await api.generate({ userId: 'u1', request: learnGo });
        const result = await api.cancel(task.task_id, { userId: 'u1', reason: 'not now' });
        expect(result.previousStatus).toBe('pending');
        expect(result.task).toMatchObject({ status: 'cancelled', cancel_reason: 'not now' });

        const worker = await world.engine(model);
        await world.quiet();
        await world.clock.advance(60_000);
        await world.quiet();
        expect(model.calls).toHaveLength(0);
        expect(await worker.getTask(task.task_id)).toMatchObject({
          status: 'cancelled',
          current_step: 'cancelled',
          attempts: 0,
        });
        const events = await world.storage.listEvents({ taskId: task.task_id });
        expect(events.filter(isTerminalEvent)).toEqual([
          expect.objectContaining({ type: 'cancelled', reason: 'not now', previous_status: 'pending' }),
        ]);
      },
    },
    {
      name: 'cancels a processing task: every in-flight call aborted, none started after, stored items kept',
      async run(world) {
        const model = world.model({ script: [{ operation: 'quiz', hang: true }] });
        const engine = await world.engine(model);
        const emitted: RoadmapEvent[] = [];
        engine.subscribe((event) => emitted.push(event));
        const { task } = await engine.generate({ userId: 'u1', request: learnGo });
        // Both lanes wait on a hanging quiz: the tutorials and resources of their concepts get stored, then nothing
        // moves until the cancel.
        await model.waitForCalls(2, { operation: 'quiz' });
        await world.waitUntil('the tutorials and resources of the first two concepts are stored', async () => {
          const items = await world.storage.listItems(task.roadmap_id);
          return items.filter((item) => item.status === 'completed').length === 4;
        });
        const inFlight = [...model.inFlight];
        expect(inFlight.sort()).toEqual(['quiz:s1-m1-c1', 'quiz:s1-m1-c2']);
        const keptBefore = (await world.storage.listItems(task.roadmap_id)).filter(
          (item) => item.status === 'completed',
        );
        const callsAtCancel = model.calls.length;

        const result = await engine.cancel(task.task_id, { userId: 'u1', reason: 'changed my mind' });
        expect(result.previousStatus).toBe('processing');
        expect([...model.aborts].sort()).toEqual(inFlight);
        await world.waitUntil('the aborted calls settled', () => model.inFlight.length === 0);
        await world.quiet();
        await world.clock.advance(60_000);
        await world.quiet();
        expect(model.calls).toHaveLength(callsAtCancel);

        expect(await world.storage.getTask(task.task_id)).toMatchObject({
          status: 'cancelled',
          current_step: 'cancelled',
          cancel_reason: 'changed my mind',
          lease_token: null,
        });
        const items = await world.storage.listItems(task.roadmap_id);
        expect(items.filter((item) => item.status === 'completed')).toEqual(keptBefore);
        const terminal = (await engine.listEvents({ taskId: task.task_id })).filter(isTerminalEvent);
        expect(terminal).toEqual([
          expect.objectContaining({ type: 'cancelled', reason: 'changed my mind', previous_status: 'processing' }),
        ]);
        expect(emitted.filter(isTerminalEvent)).toEqual(terminal);
      },
    },
    {
      name: 'a cancel accepted by an API-only engine reaches the worker of another engine on the same storage',
      async run(world) {
        const model = world.model({ script: [{ operation: 'curriculum_design', hang: true }] });
        await world.engine(model);
        const api = await world.engine(world.model(), { worker: false });
        const { task } = await api.generate({ userId: 'u1', request: learnGo });
        await model.waitForCalls(1, { operation: 'curriculum_design' });
        await api.cancel(task.task_id, { userId: 'u1' });
        await world.waitUntil('the worker aborted its call', () => model.inFlight.length === 0);
        expect(model.aborts).toEqual(['curriculum_design']);
        await world.quiet();
        expect(model.calls).toHaveLength(2); // intent analysis, then the aborted curriculum design
        expect(await world.storage.getTask(task.task_id)).toMatchObject({ status: 'cancelled', lease_token: null });
        const events = await world.storage.listEvents({ taskId: task.task_id });
        expect(events.filter(isTerminalEvent).map((event) => event.type)).toEqual(['cancelled']);
      },
    },
    {
      name: 'refuses finished and unknown tasks with clear codes, changing nothing',
      async run(world) {
        const engine = await world.engine(world.model());
        const { task } = await engine.generate({ userId: 'u1', request: learnGo });
        await world.terminalEvent(engine, task.task_id);
        await world.quiet();
        const before = await world.storage.getTask(task.task_id);
        const eventsBefore = await world.storage.listEvents({ taskId: task.task_id });
        await expect(engine.cancel(task.task_id, { userId: 'u1' })).rejects.toMatchObject({
          code: 'task_not_cancellable',
        });
        await expect(engine.cancel(task.task_id, { userId: 'intruder' })).rejects.toMatchObject({ code: 'forbidden' });
        await expect(engine.cancel('00000000-0000-4000-8000-00000000dead')).rejects.toMatchObject({
          code: 'not_found',
        });
        expect(await world.storage.getTask(task.task_id)).toEqual(before);
        expect(await world.storage.listEvents({ taskId: task.task_id })).toEqual(eventsBefore);
      },
    },
    {
      name: 'generating again after a cancel starts a new task from scratch and leaves the cancelled one alone',
      async run(world) {
        const model = world.model({ script: [{ operation: 'tutorial', hang: true, times: 1 }] });
        const engine = await world.engine(model);
        const first = await engine.generate({ userId: 'u1', request: learnGo });
        await model.waitForCalls(1, { operation: 'tutorial' });
        await engine.cancel(first.task.task_id, { userId: 'u1' });
        await world.quiet();
        const cancelledTask = await world.storage.getTask(first.task.task_id);
        const cancelledItems = await world.storage.listItems(first.task.roadmap_id);
        const intentCalls = model.callCount({ operation: 'intent_analysis' });

        const second = await engine.generate({ userId: 'u1', request: learnGo });
        expect(second.created).toBe(true);
        expect(second.task.task_id).not.toBe(first.task.task_id);
        expect(second.task.roadmap_id).not.toBe(first.task.roadmap_id);
        expect((await world.terminalEvent(engine, second.task.task_id)).type).toBe('completed');
        await world.quiet();
        expect(model.callCount({ operation: 'intent_analysis' })).toBe(intentCalls + 1);
        expect(await world.storage.getTask(first.task.task_id)).toEqual(cancelledTask);
        expect(await world.storage.listItems(first.task.roadmap_id)).toEqual(cancelledItems);
      },
    },
  ],
};
