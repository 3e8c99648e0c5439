import { describe, expect, it } from 'vitest';
import type { Storage } from '../../storage/storage.js';
import { describeBudgetStore } from './budgetStoreSuite.js';
import { describeCheckpointStore } from './checkpointStoreSuite.js';
import { describeCoverStore } from './coverStoreSuite.js';
import { describeDataLifecycle } from './dataLifecycleSuite.js';
import { describeEventStore } from './eventStoreSuite.js';
import { type StorageFactory, useStorage } from './harness.js';
import { describeStatusEvents } from './statusEventSuite.js';
import { describeTaskStore } from './taskStoreSuite.js';

/**
 * Registers vitest tests that check every documented contract of {@link Storage}: the suite of each part (tasks
 * and leases, checkpoints and items, events, covers, budgets, the data lifecycle), a status change stored with its
 * event, on one storage per test, and the contract version. With the fixture's `residue`, erasing a user is checked
 * table by table too. Call it
 * at the top level of an adapter's test file.
 *
 * @example
 * // postgresStorage.test.ts
 * runStorageConformance('postgres', async () => {
 *   const storage = await createPostgresStorage({ connectionString, schema: `test_${process.pid}` });
 *   return { storage, cleanup: () => storage.dropSchema() };
 * });
 */
export function runStorageConformance(name: string, createStorage: StorageFactory): void {
  describe(`${name}: Storage conformance`, () => {
    const harness = useStorage(createStorage);

    it("declares specificationVersion 'v1'", () => {
      expect(harness.storage.specificationVersion).toBe('v1');
    });

    describeTaskStore(harness);
    describeCheckpointStore(harness);
    describeEventStore(harness);
    describeStatusEvents(harness);
    describeCoverStore(harness);
    describeBudgetStore(harness);
    describeDataLifecycle(harness);
  });
}
