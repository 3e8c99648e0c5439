import { describe, expect, it } from 'vitest';
import { roadmapIdFor } from '../domain/ids.js';
import { createMemoryQueue } from '../queue/memoryQueue.js';
import { createMemoryStorage } from '../storage/memoryStorage.js';
import { createScriptedModel } from '../testing/scriptedModel.js';
import { RoadmapEngine } from './engine.js';

// SPEC §2: roadmap ids are unique. Two users with the same goal whose random suffixes collide get two roadmaps:
// storage refuses the second task under the held id, and the engine draws a new suffix.

/** Ids in the order the engine asks for them: task id, then the roadmap suffix (again on a collision). */
function scriptedIds(ids: string[]): () => string {
  let index = 0;
  return () => {
    const id = ids[index];
    index += 1;
    if (id === undefined) throw new Error('the test ran out of ids');
    return id;
  };
}

const uuid = (digit: string) =>
  `${digit.repeat(8)}-${digit.repeat(4)}-4${digit.repeat(3)}-8${digit.repeat(3)}-${digit.repeat(12)}`;

/** An API-only engine on memory storage whose ids come from `ids`. */
function engineWithIds(ids: string[]) {
  const storage = createMemoryStorage();
  const engine = new RoadmapEngine({
    storage,
    queue: createMemoryQueue(),
    model: createScriptedModel(),
    worker: false,
    generateId: scriptedIds(ids),
  });
  return { storage, engine };
}

describe('roadmap ids are unique', () => {
  it('a second user with the same goal and a colliding suffix gets a new suffix, and each keeps their own', async () => {
    // Task 1, suffix A; task 2, suffix A again (the collision), then suffix B.
    const { storage, engine } = engineWithIds([uuid('1'), uuid('a'), uuid('2'), uuid('a'), uuid('b')]);
    const request = { preferences: { learning_goal: 'Learn Rust' } };
    const first = await engine.generate({ userId: 'alice', request });
    const second = await engine.generate({ userId: 'bob', request });
    const held = roadmapIdFor('Learn Rust', uuid('a'));
    expect(first.task.roadmap_id).toBe(held);
    expect(second.task.roadmap_id).toBe(roadmapIdFor('Learn Rust', uuid('b')));
    expect((await storage.getTask(first.task.task_id))?.user_id).toBe('alice');
    expect((await storage.listTasks({ roadmapId: held })).tasks.map((task) => task.user_id)).toEqual(['alice']);
    // Exactly one `queued` event per task: the refused attempt stored nothing.
    expect((await storage.listEvents({})).map((event) => event.task_id)).toEqual([
      first.task.task_id,
      second.task.task_id,
    ]);
  });

  it('gives up with roadmap_id_taken after five collisions in a row', async () => {
    const { storage, engine } = engineWithIds([
      uuid('1'),
      uuid('a'),
      uuid('2'),
      ...Array.from({ length: 5 }, () => uuid('a')),
    ]);
    const request = { preferences: { learning_goal: 'Learn Rust' } };
    await engine.generate({ userId: 'alice', request });
    await expect(engine.generate({ userId: 'bob', request })).rejects.toMatchObject({ code: 'roadmap_id_taken' });
    expect((await storage.listTasks({})).total).toBe(1);
  });
});
