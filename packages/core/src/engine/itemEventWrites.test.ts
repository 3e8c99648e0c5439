import { afterEach, describe, expect, it } from 'vitest';
import type { RoadmapEvent } from '../domain/events.js';
import { createWorld, learnGo, runUntilTerminal, type World } from '../testing/engineTestSupport.js';
import { withStorageFaults } from '../testing/faults.js';

// Issue 12: an item's result, status, the task's progress and its event are one write. The engine hands the
// concept_* events to `setItemStatus` / `saveItem` and delivers what they stored, with no separate append.

let world: World;
afterEach(async () => {
  await world?.stopAll();
});

describe('item writes carry their events', () => {
  it('stores concept_start and concept_complete with the item writes, never through appendEvent', async () => {
    world = createWorld();
    const storage = withStorageFaults(world.storage);
    const model = world.model();
    const engine = await world.engine(model, { storage });
    const delivered: RoadmapEvent[] = [];
    engine.subscribe((event) => delivered.push(event));
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    expect((await runUntilTerminal(world, engine, task.task_id, { stepMs: 250 })).type).toBe('completed');

    const itemEvents = (events: readonly RoadmapEvent[]) =>
      events.filter((event) => event.type === 'concept_start' || event.type === 'concept_complete');
    const appended = storage.faults.calls
      .filter((call) => call.method === 'appendEvent')
      .map((call) => (call.args[0] as RoadmapEvent).type);
    expect(appended.filter((type) => type === 'concept_start' || type === 'concept_complete')).toEqual([]);

    const stored = itemEvents(await world.storage.listEvents({ taskId: task.task_id }));
    const items = await world.storage.listItems(task.roadmap_id);
    expect(stored.filter((event) => event.type === 'concept_complete')).toHaveLength(items.length);
    expect(stored.filter((event) => event.type === 'concept_start')).toHaveLength(items.length);
    // What listeners got is what the item writes stored, seq included.
    expect(itemEvents(delivered)).toEqual(stored);
  });
});
