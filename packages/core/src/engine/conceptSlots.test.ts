import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWorld, learnGo, runUntilTerminal, settle, type World } from '../testing/engineTestSupport.js';
import { ConceptSlots } from './conceptSlots.js';

/** Watches `promises`; `settled()` tells the indexes of those settled so far, in the order they settled. */
function watch(promises: Promise<unknown>[]): { settled(): Promise<number[]> } {
  const order: number[] = [];
  promises.forEach((promise, index) => {
    promise.then(
      () => order.push(index),
      () => order.push(index),
    );
  });
  return {
    async settled() {
      await settle();
      return [...order];
    },
  };
}

describe('ConceptSlots', () => {
  it('holds at most `limit` at once and hands a released slot to the next waiter', async () => {
    const slots = new ConceptSlots(2, new AbortController().signal);
    const waiting = watch([slots.acquire(), slots.acquire(), slots.acquire(), slots.acquire()]);
    expect(await waiting.settled()).toEqual([0, 1]);
    slots.release();
    expect(await waiting.settled()).toEqual([0, 1, 2]);
    slots.release();
    slots.release();
    expect(await waiting.settled()).toEqual([0, 1, 2, 3]);
  });

  it('serves a call asked again before the lanes that waited longer', async () => {
    const slots = new ConceptSlots(1, new AbortController().signal);
    await slots.acquire();
    const waiting = watch([slots.acquire(), slots.acquire(true)]);
    slots.release();
    expect(await waiting.settled()).toEqual([1]);
    slots.release();
    expect(await waiting.settled()).toEqual([1, 0]);
  });

  it('refuses waiting and new holders with the reason once the signal aborts, and close stops listening', async () => {
    const controller = new AbortController();
    const removed = vi.spyOn(controller.signal, 'removeEventListener');
    const slots = new ConceptSlots(1, controller.signal);
    await slots.acquire();
    const waiting = slots.acquire();
    const reason = new Error('run stopped');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(slots.acquire()).rejects.toBe(reason);
    slots.close();
    expect(removed).toHaveBeenCalledWith('abort', expect.any(Function));
  });
});

let world: World;
afterEach(async () => {
  await world?.stopAll();
});

describe('content generation under concept slots', () => {
  it('asks an answer that did not parse again without more than `concurrency` concepts calling at once', async () => {
    world = createWorld();
    // Every call answers after 100 ms; the first three tutorials answer JSON that fails the schema, asked again.
    const model = world.model({
      latencyMs: 100,
      script: [
        { operation: 'tutorial', when: (_request, position) => position.attempt === 1, invalid: true, times: 3 },
      ],
    });
    const callingConcepts: number[] = [];
    const engine = await world.engine(model, { concurrency: 2 });
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    const onStep = () => {
      const concepts = new Set(
        model.calls
          .filter((call) => call.outcome === 'pending' && call.request.input.concept !== undefined)
          .map((call) => call.request.input.concept?.concept_id),
      );
      callingConcepts.push(concepts.size);
    };
    expect((await runUntilTerminal(world, engine, task.task_id, { stepMs: 100, onStep })).type).toBe('completed');
    expect(model.callCount({ operation: 'tutorial', when: (_request, position) => position.attempt === 2 })).toBe(3);
    // Two lanes moved on while the three were asked again: the bound held, and it was used.
    expect(Math.max(...callingConcepts)).toBe(2);
    const items = await world.storage.listItems(task.roadmap_id);
    expect(items.every((item) => item.status === 'completed')).toBe(true);
  });
});
