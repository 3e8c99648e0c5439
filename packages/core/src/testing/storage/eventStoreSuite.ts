import { beforeEach, describe, expect, it } from 'vitest';
import type { RoadmapEvent } from '../../domain/events.js';
import type { TaskRecord } from '../../domain/task.js';
import { isoTime } from '../../shared/clock.js';
import type { EventStore } from '../../storage/eventStore.js';
import type { TaskStore } from '../../storage/taskStore.js';
import type { ManualClock } from '../manualClock.js';
import { fixtureEpochMs, fixtureUuid, makeEvent, writeToResult } from './fixtures.js';
import { leaseMs, present, type StorageFactory, type StorageHarness, taskSteps, useStorage } from './harness.js';

/** What the event part's suite runs on: fenced appends check the task part's leases. */
export type EventStoreUnderTest = TaskStore & EventStore;

/**
 * Registers the tests of {@link EventStore} in the current `describe`, against the harness's storage: one
 * increasing `seq` across the log, concurrent appends, fenced appends, filters and limits, retention.
 */
export function describeEventStore(harness: StorageHarness<EventStoreUnderTest>): void {
  let storage: EventStoreUnderTest;
  let clock: ManualClock;
  beforeEach(() => {
    storage = harness.storage;
    clock = harness.clock;
  });
  const { lease, createTask, startTask, cancel } = taskSteps(harness);

  const day = 86_400_000;
  /** A `progress` event of `task` stamped `days` after the fixture epoch. */
  const stamped = (task: Pick<TaskRecord, 'task_id' | 'user_id'>, message: string, days: number) => ({
    ...makeEvent(task, message),
    timestamp: isoTime(fixtureEpochMs + days * day),
  });
  const messagesOf = (events: RoadmapEvent[]) => events.map((event) => event.type === 'progress' && event.message);

  describe('event log retention', () => {
    it("pruneEvents deletes finished tasks' events before the first one stamped at `before`, oldest first, by limit", async () => {
      const completed = await createTask({ status: 'completed' });
      const failed = await createTask({ status: 'failed' });
      const partial = await createTask({ status: 'partial_failure' });
      const running = await createTask({ status: 'processing' });
      const waiting = await createTask();
      const cancelled = await createTask();
      const gone = { task_id: fixtureUuid(424_242), user_id: 'user-1' };
      const append = async (task: Pick<TaskRecord, 'task_id' | 'user_id'>, message: string, days: number) =>
        present(await storage.appendEvent(stamped(task, message, days)), 'the event');
      await append(completed, 'completed old', 0);
      await append(running, 'running old', 0);
      await append(gone, 'deleted task old', 1);
      await append(waiting, 'pending old', 1);
      await append(failed, 'failed old', 2);
      await append(cancelled, 'cancelled while pending', 2);
      await append(partial, 'partial old', 3);
      const firstRecent = await append(completed, 'completed recent', 10);
      // Stamped early by a process whose clock lags, but appended after a recent event: it stays.
      await append(failed, 'failed late append', 1);
      await cancel(cancelled.task_id);
      const before = isoTime(fixtureEpochMs + 7 * day);

      expect(await storage.pruneEvents({ before, limit: 2 })).toBe(2);
      expect(messagesOf(await storage.listEvents({}))).toEqual([
        'running old',
        'pending old',
        'failed old',
        'cancelled while pending',
        'partial old',
        'completed recent',
        'failed late append',
      ]);
      expect(await storage.pruneEvents({ before })).toBe(3);
      expect(await storage.pruneEvents({ before })).toBe(0);
      expect(messagesOf(await storage.listEvents({}))).toEqual([
        'running old',
        'pending old',
        'completed recent',
        'failed late append',
      ]);
      expect(await storage.eventLogStart({ before })).toBe(firstRecent.seq);
    });

    it('pruneEvents with belowSeq (the bound read once per sweep) deletes finished tasks’ events below it only', async () => {
      const completed = await createTask({ status: 'completed' });
      const running = await createTask({ status: 'processing' });
      const append = async (task: Pick<TaskRecord, 'task_id' | 'user_id'>, message: string, days: number) =>
        present(await storage.appendEvent(stamped(task, message, days)), 'the event');
      await append(completed, 'first', 0);
      await append(running, 'running', 0);
      const third = await append(completed, 'third', 1);
      await append(completed, 'fourth', 2);
      const before = isoTime(fixtureEpochMs + 30 * day);
      // The bound the sweep read is below 'third': 'third' and 'fourth' stay although `before` would let them go.
      expect(await storage.pruneEvents({ before, belowSeq: third.seq, limit: 1 })).toBe(1);
      expect(await storage.pruneEvents({ before, belowSeq: third.seq })).toBe(0);
      expect(messagesOf(await storage.listEvents({}))).toEqual(['running', 'third', 'fourth']);
      expect(await storage.pruneEvents({ before, belowSeq: await storage.eventLogStart({ before }) })).toBe(2);
      expect(messagesOf(await storage.listEvents({}))).toEqual(['running']);
    });

    it('eventLogStart is the first event stamped at or after `before`, else past every seq ever assigned', async () => {
      const fresh = await storage.eventLogStart({ before: isoTime(fixtureEpochMs) });
      const task = await createTask({ status: 'completed' });
      const first = present(await storage.appendEvent(stamped(task, 'first', 0)), 'the event');
      expect(fresh).toBeGreaterThan(0);
      expect(fresh).toBeLessThanOrEqual(first.seq);
      const second = present(await storage.appendEvent(stamped(task, 'second', 5)), 'the event');
      const third = present(await storage.appendEvent(stamped(task, 'third', 9)), 'the event');
      expect(await storage.eventLogStart({ before: isoTime(fixtureEpochMs) })).toBe(first.seq);
      expect(await storage.eventLogStart({ before: isoTime(fixtureEpochMs + 5 * day) })).toBe(second.seq);
      expect(await storage.eventLogStart({ before: isoTime(fixtureEpochMs + 6 * day) })).toBe(third.seq);

      // Everything pruned: the log is empty, and its start is still past every seq it held.
      const later = isoTime(fixtureEpochMs + 30 * day);
      expect(await storage.pruneEvents({ before: later })).toBe(3);
      expect(await storage.listEvents({})).toEqual([]);
      const start = await storage.eventLogStart({ before: later });
      expect(start).toBeGreaterThan(third.seq);
      const next = present(await storage.appendEvent(stamped(task, 'next', 31)), 'the event');
      expect(start).toBeLessThanOrEqual(next.seq);
    });
  });

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
      writeToResult(() => {
        if (appended.type === 'progress') appended.progress.completed = 5;
      });
      const [listedEvent] = await storage.listEvents({ taskId: task.task_id });
      writeToResult(() => {
        if (listedEvent?.type === 'progress') listedEvent.message = 'mutated read';
      });
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
