import { beforeEach, describe, expect, it } from 'vitest';
import type { RoadmapEvent } from '../../domain/events.js';
import type { TaskRecord } from '../../domain/task.js';
import type { EventStore } from '../../storage/eventStore.js';
import type { TaskStore } from '../../storage/taskStore.js';
import type { ManualClock } from '../manualClock.js';
import { fixtureUuid, makeEvent } from './fixtures.js';
import { leaseMs, present, type StorageFactory, type StorageHarness, taskSteps, useStorage } from './harness.js';

/** What the event part's suite runs on: fenced appends check the task part's leases. */
export type EventStoreUnderTest = TaskStore & EventStore;

/**
 * Registers the tests of {@link EventStore} in the current `describe`, against the harness's storage: one
 * increasing `seq` across the log, concurrent appends, fenced appends, filters and limits.
 */
export function describeEventStore(harness: StorageHarness<EventStoreUnderTest>): void {
  let storage: EventStoreUnderTest;
  let clock: ManualClock;
  beforeEach(() => {
    storage = harness.storage;
    clock = harness.clock;
  });
  const { lease, createTask, startTask, cancel } = taskSteps(harness);

  describe('event log', () => {
    it('appendEvent assigns strictly increasing seq across tasks and returns the stored event', async () => {
      const first = await createTask();
      const second = await createTask({ user_id: 'user-2' });
      const events = [makeEvent(first, 'one'), makeEvent(second, 'two'), makeEvent(first, 'three')];
      const stored: RoadmapEvent[] = [];
      for (const event of events) stored.push(present(await storage.appendEvent(event), 'the event'));

      stored.forEach((event, index) => {
        expect(event).toEqual({ ...events[index], seq: event.seq });
        expect(Number.isInteger(event.seq) && event.seq > 0).toBe(true);
      });
      const seqs = stored.map((event) => event.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(3);
      expect(await storage.listEvents({})).toEqual(stored);
    });

    it('gives 100 concurrent appends distinct seqs, listed in increasing order', async () => {
      const task = await createTask();
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, index) => storage.appendEvent(makeEvent(task, `event ${index}`))),
      );
      const seqs = results.map((event) => present(event, 'an event').seq);
      expect(new Set(seqs).size).toBe(100);
      const listed = await storage.listEvents({ taskId: task.task_id });
      expect(listed.map((event) => event.seq)).toEqual([...seqs].sort((a, b) => a - b));
      const next = present(await storage.appendEvent(makeEvent(task, 'after')), 'an event');
      expect(next.seq).toBeGreaterThan(Math.max(...seqs));
    });

    it('with a fence, appends only for the holder; without one, always', async () => {
      const { task, fence } = await startTask();
      expect(await storage.appendEvent(makeEvent(task, 'held'), fence)).not.toBeNull();
      expect(await storage.appendEvent(makeEvent(task, 'stale'), { ...fence, leaseToken: 'stale' })).toBeNull();
      await cancel(task.task_id);
      expect(await storage.appendEvent(makeEvent(task, 'late worker'), fence)).toBeNull();
      expect(await storage.appendEvent(makeEvent(task, 'cancelled by the API'))).not.toBeNull();
      const messages = (await storage.listEvents({ taskId: task.task_id })).map(
        (event) => event.type === 'progress' && event.message,
      );
      expect(messages).toEqual(['held', 'cancelled by the API']);
    });

    it('listEvents filters by task, user and after, and applies limit after filtering', async () => {
      const mine = await createTask({ user_id: 'user-a' });
      const alsoMine = await createTask({ user_id: 'user-a' });
      const theirs = await createTask({ user_id: 'user-b' });
      const append = async (task: TaskRecord, message: string) =>
        present(await storage.appendEvent(makeEvent(task, message)), 'the event');
      const e1 = await append(mine, 'e1');
      const e2 = await append(theirs, 'e2');
      const e3 = await append(alsoMine, 'e3');
      const e4 = await append(mine, 'e4');
      const e5 = await append(theirs, 'e5');
      const e6 = await append(mine, 'e6');

      expect(await storage.listEvents({ taskId: mine.task_id })).toEqual([e1, e4, e6]);
      expect(await storage.listEvents({ userId: 'user-a' })).toEqual([e1, e3, e4, e6]);
      expect(await storage.listEvents({ userId: 'user-b' })).toEqual([e2, e5]);
      expect(await storage.listEvents({ after: e3.seq })).toEqual([e4, e5, e6]);
      expect(await storage.listEvents({ taskId: mine.task_id, after: e1.seq })).toEqual([e4, e6]);
      expect(await storage.listEvents({ taskId: mine.task_id, limit: 2 })).toEqual([e1, e4]);
      expect(await storage.listEvents({ limit: 2, after: e4.seq })).toEqual([e5, e6]);
      expect(await storage.listEvents({ after: e6.seq })).toEqual([]);
      expect(await storage.listEvents({ taskId: fixtureUuid(999_999) })).toEqual([]);
    });

    it('with a fence, refuses a worker whose lease was taken over', async () => {
      const now = clock.now();
      const { fence: first } = await startTask();
      const second = { taskId: first.taskId, leaseToken: 'second' };
      await storage.acquireLease(first.taskId, lease('second', now + leaseMs));
      expect(await storage.appendEvent(makeEvent({ task_id: first.taskId, user_id: 'user-1' }), first)).toBeNull();
      expect(await storage.appendEvent(makeEvent({ task_id: first.taskId, user_id: 'user-1' }), second)).not.toBeNull();
    });

    it('mutating events appended or read never changes what is stored', async () => {
      const task = await createTask();
      const event = makeEvent(task, 'original');
      const appended = present(await storage.appendEvent(event), 'the event');
      if (event.type === 'progress') event.message = 'mutated input';
      if (appended.type === 'progress') appended.progress.completed = 5;
      const [listedEvent] = await storage.listEvents({ taskId: task.task_id });
      if (listedEvent?.type === 'progress') listedEvent.message = 'mutated read';
      expect(await storage.listEvents({ taskId: task.task_id })).toEqual([
        { ...makeEvent(task, 'original'), seq: appended.seq },
      ]);
    });
  });
}

/**
 * Registers vitest tests that check every documented contract of {@link EventStore}; the storage also needs the
 * task part, whose leases fence appends. `runStorageConformance` runs them with the other parts.
 *
 * @example
 * runEventStoreConformance('my storage', () => ({ storage: createMyStorage() }));
 */
export function runEventStoreConformance(name: string, createStorage: StorageFactory<EventStoreUnderTest>): void {
  describe(`${name}: EventStore conformance`, () => {
    describeEventStore(useStorage(createStorage));
  });
}
