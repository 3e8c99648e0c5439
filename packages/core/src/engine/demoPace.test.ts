import { afterEach, describe, expect, it } from 'vitest';
import { createDemoModel, demoPace } from '../demo/demoModel.js';
import type { RoadmapEvent } from '../domain/events.js';
import { createWorld, type World } from '../testing/engineTestSupport.js';

let world: World;
afterEach(async () => {
  await world?.stopAll();
});

describe("the demo model's default pace", () => {
  it('makes a default roadmap take 20–40 s, so a person can watch it and cancel it (timed on a manual clock)', async () => {
    world = createWorld();
    const model = createDemoModel({ clock: world.clock });
    const engine = await world.engine(model as never, { concurrency: 5 });
    const ended = new Promise<RoadmapEvent>((resolve) => {
      engine.subscribe((event) => {
        if (event.type === 'completed' || event.type === 'failed') resolve(event);
      });
    });
    let terminal: RoadmapEvent | undefined;
    void ended.then((event) => {
      terminal = event;
    });
    const startedAt = world.clock.now();
    const { task } = await engine.generate({ userId: 'u1', request: { preferences: { learning_goal: 'Learn Rust' } } });
    while (terminal === undefined && world.clock.now() - startedAt < 120_000) await world.clock.advance(250);
    expect(terminal?.type).toBe('completed');
    const seconds = (world.clock.now() - startedAt) / 1000;
    const items = (await engine.getTask(task.task_id))?.progress;
    expect(items).toMatchObject({ total: 72 });
    expect(seconds).toBeGreaterThanOrEqual(20);
    expect(seconds).toBeLessThanOrEqual(40);
  });

  it('waits each operation its own time; latencyMs replaces it for every call', async () => {
    world = createWorld();
    const paced = createDemoModel({ clock: world.clock });
    const request = {
      operation: 'intent_analysis' as const,
      system: '',
      prompt: '',
      schema: {},
      input: { preferences: { learning_goal: 'Learn Rust' } },
      abortSignal: new AbortController().signal,
    };
    let answered = false;
    const call = paced.generate(request as never).then(() => {
      answered = true;
    });
    await world.clock.advance(demoPace.intent_analysis - 1);
    expect(answered).toBe(false);
    await world.clock.advance(1);
    await call;
    expect(answered).toBe(true);
    const instant = createDemoModel({ clock: world.clock, latencyMs: 0 });
    await instant.generate(request as never);
  });
});
