import { afterEach, beforeEach, describe, it } from 'vitest';
import type { Storage } from '../../storage/storage.js';
import { cancellationScenarios } from './cancellationScenarios.js';
import { cancelRaceScenarios } from './cancelRaceScenarios.js';
import { type ConformanceWorld, createConformanceWorld, type EngineStorageFactory } from './conformanceWorld.js';
import { crashResumeScenarios } from './crashResumeScenarios.js';
import { dataLifecycleScenarios } from './dataLifecycleScenarios.js';
import type { EngineScenarioGroup } from './engineScenario.js';
import { generationScenarios } from './generationScenarios.js';
import { leaseScenarios } from './leaseScenarios.js';
import { retryScenarios } from './retryScenarios.js';

export interface EngineConformanceOptions {
  /** Names the suite in the test report, e.g. `'postgres'`. Default: `'storage'`. */
  name?: string;
  /**
   * Real time, in ms, to watch for something that must not happen (no model call after a cancel, no write by a
   * zombie), after event-loop turns. Raise it for a storage whose writes take real I/O (a database server).
   * Default: 0 (turns only: enough for a storage that answers from memory or synchronously, like SQLite).
   */
  quietMs?: number;
  /** Longest real-time wait for something that must happen (a result stored, a worker giving up). Default: 10 000. */
  timeoutMs?: number;
}

/** Every scenario group, in the order they are registered. */
export const engineScenarioGroups: readonly EngineScenarioGroup[] = [
  generationScenarios,
  crashResumeScenarios,
  cancellationScenarios,
  cancelRaceScenarios,
  retryScenarios,
  leaseScenarios,
  dataLifecycleScenarios,
];

/**
 * Registers vitest tests that run the whole product on a storage: a `RoadmapEngine` (scripted model, memory queue,
 * manual clock, sequential ids) generates, crashes and resumes, cancels and retries tasks, and each scenario checks
 * what a user can see — the task's status, its stored result (equal to an uninterrupted run on memory storage),
 * its event log and the model calls it cost. Run it beside `runStorageConformance`, which checks each method.
 *
 * `createStorage` is called before every test with the test's clock and returns the storage with its teardown;
 * give `reopen` (and `close`) so the crash scenarios resume in a new instance, as a restarted process would.
 *
 * @example
 * // sqliteEngine.test.ts: a temp file per test, reopened by the resuming "process".
 * runEngineConformance(
 *   ({ clock }) => {
 *     const directory = mkdtempSync(join(tmpdir(), 'roadmap-'));
 *     const open = () => createSqliteStorage({ filename: join(directory, 'roadmap.db'), now: clock.now });
 *     return {
 *       storage: open(),
 *       reopen: open,
 *       close: (storage: SqliteStorage) => storage.close(),
 *       cleanup: () => rmSync(directory, { recursive: true, force: true }),
 *     };
 *   },
 *   { name: 'sqlite' },
 * );
 */
export function runEngineConformance<Instance extends Storage>(
  createStorage: EngineStorageFactory<Instance>,
  options: EngineConformanceOptions = {},
): void {
  const timing = { quietMs: options.quietMs ?? 0, timeoutMs: options.timeoutMs ?? 10_000 };
  describe(`${options.name ?? 'storage'}: engine conformance`, () => {
    let world: ConformanceWorld | undefined;

    beforeEach(async () => {
      world = await createConformanceWorld(createStorage, timing);
    });

    afterEach(async () => {
      await world?.dispose();
      world = undefined;
    });

    for (const group of engineScenarioGroups) {
      describe(group.name, () => {
        for (const scenario of group.scenarios) {
          it(scenario.name, async () => {
            if (!world) throw new Error('The engine conformance world was not created.');
            await scenario.run(world);
          });
        }
      });
    }
  });
}
