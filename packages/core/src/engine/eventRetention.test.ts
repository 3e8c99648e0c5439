import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryQueue } from '../queue/memoryQueue.js';
import { createMemoryStorage } from '../storage/memoryStorage.js';
import { createManualClock, type ManualClock } from '../testing/manualClock.js';
import { createScriptedModel } from '../testing/scriptedModel.js';
import { RoadmapEngine, type RoadmapEngineOptions } from './engine.js';

const hour = 3_600_000;
const day = 24 * hour;
const request = { preferences: { learning_goal: 'Learn Rust' } };
const engines: RoadmapEngine[] = [];

function createEngine(clock: ManualClock, options: Partial<RoadmapEngineOptions> = {}) {
  const storage = createMemoryStorage({ now: clock.now });
  const engine = new RoadmapEngine({
    storage,
    queue: createMemoryQueue({ clock }),
    model: createScriptedModel(),
    clock,
    worker: false,
    onError: (error) => {
      throw error;
    },
    ...options,
  });
  engines.push(engine);
  return { engine, storage };
}

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

describe('RoadmapEngine: event retention', () => {
  it("sweeps finished tasks' events older than eventRetentionMs on its clock, and keeps unfinished tasks' events", async () => {
    const clock = createManualClock();
    const { engine, storage } = createEngine(clock, { eventRetentionMs: 7 * day });
    const { task: finished } = await engine.generate({ userId: 'alice', request });
    await engine.cancel(finished.task_id, { userId: 'alice' });
    const { task: waiting } = await engine.generate({ userId: 'alice', request });
    const finishedSeqs = (await engine.listEvents({ taskId: finished.task_id })).map((event) => event.seq);
    expect(finishedSeqs).toHaveLength(2);
    await engine.start();

    // Hourly sweeps (at most hourly): exactly 7 days old is not older than the retention yet; the next one deletes.
    await clock.advance(7 * day);
    expect(await storage.listEvents({ taskId: finished.task_id })).toHaveLength(2);
    await clock.advance(hour);
    expect(await storage.listEvents({ taskId: finished.task_id })).toEqual([]);
    expect(await storage.listEvents({ taskId: waiting.task_id })).toHaveLength(1);

    // A later event bounds the complete log; the old pending task's event stays below it.
    const { task: recent } = await engine.generate({ userId: 'alice', request });
    const [recentQueued] = await engine.listEvents({ taskId: recent.task_id });
    expect(await engine.eventLogStart()).toBe(recentQueued?.seq);
    expect(await engine.pruneEvents()).toBe(0);
  });

  it('reads where the log starts once a minute at most, however many streams ask (a reconnect storm)', async () => {
    const clock = createManualClock();
    const memory = createMemoryStorage({ now: clock.now });
    let reads = 0;
    const storage = {
      ...memory,
      eventLogStart: (options: { before: string }) => {
        reads += 1;
        return memory.eventLogStart(options);
      },
    };
    const { engine } = createEngine(clock, { storage, eventRetentionMs: 7 * day });
    await engine.generate({ userId: 'alice', request });
    const answers = await Promise.all(Array.from({ length: 100 }, () => engine.eventLogStart()));
    expect(new Set(answers)).toEqual(new Set([1]));
    expect(reads).toBe(1);
    clock.set(clock.now() + 59_999);
    await engine.eventLogStart();
    expect(reads).toBe(1);
    clock.set(clock.now() + 1);
    await engine.eventLogStart();
    expect(reads).toBe(2);
  });

  it('pruneEvents sweeps now; without eventRetentionMs it deletes nothing and the log has no start', async () => {
    const clock = createManualClock();
    const { engine: keeping } = createEngine(clock);
    const { task } = await keeping.generate({ userId: 'alice', request });
    await keeping.cancel(task.task_id, { userId: 'alice' });
    await clock.advance(365 * day);
    expect(await keeping.pruneEvents()).toBe(0);
    expect(await keeping.eventLogStart()).toBeNull();
    expect(await keeping.listEvents({ taskId: task.task_id })).toHaveLength(2);

    const { engine: pruning } = createEngine(clock, { eventRetentionMs: day });
    const { task: old } = await pruning.generate({ userId: 'alice', request });
    await pruning.cancel(old.task_id, { userId: 'alice' });
    const last = (await pruning.listEvents({})).at(-1)?.seq ?? 0;
    await clock.advance(day + 1);
    expect(await pruning.pruneEvents()).toBe(2);
    expect(await pruning.listEvents({})).toEqual([]);
    // Nothing left: the complete log starts past every seq it held.
    expect(await pruning.eventLogStart()).toBeGreaterThan(last);
    expect(() => createEngine(clock, { eventRetentionMs: 0 })).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });
});
