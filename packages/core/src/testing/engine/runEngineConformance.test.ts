/**
 * The suite must be able to fail: each case runs one scenario on a memory storage broken in one way, and expects
 * the scenario to reject. (The suite passing on correct storages is shown by memory, SQLite and Postgres.)
 */
import { describe, expect, it } from 'vitest';
import { taskStatuses } from '../../domain/task.js';
import { createMemoryStorage } from '../../storage/memoryStorage.js';
import type { Storage } from '../../storage/storage.js';
import { createConformanceWorld, type EngineStorageFactory } from './conformanceWorld.js';
import type { EngineScenario } from './engineScenario.js';
import { engineScenarioGroups } from './runEngineConformance.js';

function scenario(name: string): EngineScenario {
  const found = engineScenarioGroups
    .flatMap((group) => group.scenarios)
    .find((candidate) => candidate.name.startsWith(name));
  if (!found) throw new Error(`No scenario named "${name}…"`);
  return found;
}

/** A memory storage with some methods replaced; the others pass through. */
function broken(override: (inner: Storage) => Partial<Storage>): EngineStorageFactory {
  return ({ clock }) => {
    const inner = createMemoryStorage({ now: clock.now });
    return { storage: { ...inner, ...override(inner) } };
  };
}

const cases: Array<{ defect: string; scenario: string; factory: EngineStorageFactory }> = [
  {
    defect: 'ignores idempotency keys',
    scenario: '100 concurrent generate calls',
    factory: broken((inner) => ({ createTask: (record) => inner.createTask({ ...record, idempotency_key: null }) })),
  },
  {
    defect: 'loses checkpoints',
    scenario: 'crashed at structure_review',
    factory: broken(() => ({ getCheckpoints: async () => ({}) })),
  },
  {
    defect: 'accepts fenced item writes after the lease was lost (answers true)',
    scenario: 'a zombie whose lease was taken over',
    factory: broken((inner) => ({
      saveItem: async (...args) => {
        await inner.saveItem(...args);
        return true;
      },
    })),
  },
  {
    defect: 'lets a cancel overwrite a finished task (compare-and-set ignores `from`)',
    scenario: "cancel from the API engine while the cancel's compare-and-set waits",
    factory: broken((inner) => ({
      transitionTask: (taskId, change) =>
        inner.transitionTask(taskId, change.to === 'cancelled' ? { ...change, from: taskStatuses } : change),
    })),
  },
  {
    defect: 'reopens on empty data (nothing durable)',
    scenario: 'a restarted process finds the task',
    factory: ({ clock }) => ({
      storage: createMemoryStorage({ now: clock.now }),
      reopen: () => createMemoryStorage({ now: clock.now }),
    }),
  },
  {
    defect: 'drops content writes (saveItem answers true, stores nothing)',
    scenario: 'runs every step and item once',
    factory: broken(() => ({ saveItem: async () => true })),
  },
];

describe('runEngineConformance fails on a storage that breaks its contract', () => {
  for (const { defect, scenario: name, factory } of cases) {
    it(`a storage that ${defect} fails "${name}…"`, async () => {
      const world = await createConformanceWorld(factory, { quietMs: 0, timeoutMs: 1_000 });
      try {
        await expect(scenario(name).run(world)).rejects.toThrow();
      } finally {
        await world.dispose();
      }
    });
  }
});
