import { afterEach, describe, expect, it } from 'vitest';
import { EventHub, eventHubOf } from './eventHub.js';
import { createStreamWorld, type StreamWorld } from './eventStreamTestSupport.js';

const worlds: StreamWorld[] = [];
afterEach(async () => {
  for (const world of worlds.splice(0)) await world.close();
});

async function setup(): Promise<StreamWorld> {
  const world = await createStreamWorld();
  worlds.push(world);
  return world;
}

describe('eventHubOf', () => {
  it('gives one hub per engine, made with the first settings; a closed hub is replaced', async () => {
    const [one, two] = [await setup(), await setup()];
    const hub = eventHubOf(one.engine, { pollIntervalMs: 5 });
    expect(eventHubOf(one.engine, { pollIntervalMs: 60_000 })).toBe(hub);
    expect(eventHubOf(two.engine)).not.toBe(hub);
    hub.close();
    const replaced = eventHubOf(one.engine);
    expect(replaced).not.toBe(hub);
    expect(replaced.isClosed).toBe(false);
  });

  it('finds events written by other processes (no local emit) by polling while someone listens', async () => {
    const world = await setup();
    const hub = eventHubOf(world.engine, { pollIntervalMs: 5, batchWindowMs: 0 });
    await hub.catchUp();
    const taskId = await world.createTask('alice');
    const seen: number[] = [];
    const stop = hub.listen((batch) => seen.push(...batch.map((message) => message.event.seq)));
    // Straight to storage, no local emit: only the poll can find it.
    const seq = await world.append(taskId, 'alice');
    await new Promise<void>((resolve) => {
      if (seen.includes(seq)) return resolve();
      const check = hub.listen(() => {
        if (seen.includes(seq)) {
          check();
          resolve();
        }
      });
    });
    expect(seen.at(-1)).toBe(seq);
    stop();
    expect(hub.size).toBe(0);
  });
});

describe('EventHub batches', () => {
  it('fans out the events appended within one batch window together, in seq order', async () => {
    const world = await setup();
    const hub = new EventHub({
      engine: world.engine,
      pollIntervalMs: 60_000,
      pageSize: 500,
      batchWindowMs: 50,
      onError: () => {},
    });
    await hub.catchUp();
    const batches: number[][] = [];
    hub.listen((batch) => batches.push(batch.map((message) => message.event.seq)));
    const taskId = await world.createTask('alice');
    const seqs: number[] = [];
    for (let index = 0; index < 5; index += 1) {
      seqs.push(await world.append(taskId, 'alice'));
      void hub.wake();
    }
    await hub.wake();
    expect(batches.flat().slice(-seqs.length)).toEqual(seqs);
    // One read after the window, not one per wake-up.
    expect(batches.at(-1)).toEqual(expect.arrayContaining(seqs));
    hub.close();
  });
});
