import { beforeEach, describe, expect, it } from 'vitest';
import type { NewRoadmapEvent } from '../../domain/events.js';
import type { TaskRecord } from '../../domain/task.js';
import { isoTime } from '../../shared/clock.js';
import type { EventStore } from '../../storage/eventStore.js';
import type { TaskStore } from '../../storage/taskStore.js';
import { fixtureEpochMs, makeTaskRecord } from './fixtures.js';
import { type StorageHarness, taskSteps } from './harness.js';

/** What the suite runs on: a status change stores its event in the event part, in one transaction. */
export type StatusEventStoreUnderTest = TaskStore & EventStore;

/** The `cancelled` event of a task, built from the task as changed (what the engine passes). */
const cancelledEvent = (task: TaskRecord): NewRoadmapEvent => ({
  type: 'cancelled',
  task_id: task.task_id,
  user_id: task.user_id,
  timestamp: isoTime(fixtureEpochMs),
  reason: task.cancel_reason,
  previous_status: 'processing',
  progress: task.progress,
  aborted_calls: 0,
  kept_items: task.progress.completed,
  usage: { calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: null },
});

/**
 * Registers the tests of a status change stored with its event (SPEC §2: "the status change and its event are
 * stored together"): `transitionTask` and `createTask` with an event store both or neither, and of concurrent
 * changes exactly one event is stored.
 */
export function describeStatusEvents(harness: StorageHarness<StatusEventStoreUnderTest>): void {
  let storage: StatusEventStoreUnderTest;
  beforeEach(() => {
    storage = harness.storage;
  });
  const { startTask } = taskSteps(harness);

  describe('a status change and its event are stored together', () => {
    it('transitionTask stores the event built from the changed task and returns it with its seq', async () => {
      const { task } = await startTask();
      const transition = await storage.transitionTask(task.task_id, {
        from: ['processing'],
        to: 'cancelled',
        patch: { cancel_reason: 'changed my mind' },
        event: cancelledEvent,
      });
      expect(transition?.task.status).toBe('cancelled');
      expect(transition?.event).toMatchObject({ type: 'cancelled', reason: 'changed my mind', task_id: task.task_id });
      expect(await storage.listEvents({ taskId: task.task_id })).toEqual([transition?.event]);
    });

    it('stores no event when the compare-and-set fails', async () => {
      const { task } = await startTask();
      const stale = await storage.transitionTask(task.task_id, {
        from: ['processing'],
        to: 'completed',
        leaseToken: 'someone-else',
        event: cancelledEvent,
      });
      expect(stale).toBeNull();
      expect(await storage.listEvents({ taskId: task.task_id })).toEqual([]);
    });

    it('stores no status change when building the event throws', async () => {
      const { task } = await startTask();
      await expect(
        storage.transitionTask(task.task_id, {
          from: ['processing'],
          to: 'cancelled',
          event: () => {
            throw new Error('the event could not be built');
          },
        }),
      ).rejects.toThrow();
      expect((await storage.getTask(task.task_id))?.status).toBe('processing');
      expect(await storage.listEvents({ taskId: task.task_id })).toEqual([]);
    });

    it('of 20 concurrent changes with events, one wins and exactly one event is stored', async () => {
      const { task } = await startTask();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          storage.transitionTask(task.task_id, {
            from: ['processing'],
            to: index % 2 === 0 ? 'completed' : 'cancelled',
            event: cancelledEvent,
          }),
        ),
      );
      const winners = results.filter((result) => result !== null);
      expect(winners).toHaveLength(1);
      expect(await storage.listEvents({ taskId: task.task_id })).toEqual([winners[0]?.event]);
    });

    it('createTask stores the first event with the task, and none for a deduplicated call', async () => {
      const record = makeTaskRecord({ idempotency_key: 'once' });
      const queued = (task: TaskRecord): NewRoadmapEvent => ({
        type: 'progress',
        task_id: task.task_id,
        user_id: task.user_id,
        timestamp: task.created_at,
        step: 'queued',
        status: task.status,
        message: 'Queued',
        progress: task.progress,
      });
      const created = await storage.createTask(record, queued);
      expect(created.event).toMatchObject({ type: 'progress', step: 'queued', task_id: record.task_id });
      const again = await storage.createTask(makeTaskRecord({ idempotency_key: 'once' }), queued);
      expect(again).toMatchObject({ created: false, event: null });
      expect(await storage.listEvents({ taskId: record.task_id })).toEqual([created.event]);
    });

    it('createTask stores neither task nor event when the roadmap id is taken', async () => {
      const holder = makeTaskRecord({ roadmap_id: 'learn-go-0000f00d' });
      await storage.createTask(holder);
      const second = makeTaskRecord({ roadmap_id: 'learn-go-0000f00d' });
      await expect(storage.createTask(second, (task) => ({ ...cancelledEvent(task) }))).rejects.toMatchObject({
        code: 'roadmap_id_taken',
      });
      expect(await storage.listEvents({ taskId: second.task_id })).toEqual([]);
    });
  });
}
