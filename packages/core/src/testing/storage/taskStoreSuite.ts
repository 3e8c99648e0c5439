import { beforeEach, describe, expect, it } from 'vitest';
import { type TaskStatus, taskStatuses } from '../../domain/task.js';
import { isoTime } from '../../shared/clock.js';
import { isUserAtLimit, type TaskStore } from '../../storage/taskStore.js';
import type { ManualClock } from '../manualClock.js';
import { fixtureEpochMs, fixtureUuid, makeTaskRecord } from './fixtures.js';
import {
  claimed,
  leaseMs,
  present,
  type StorageFactory,
  type StorageHarness,
  taskSteps,
  useStorage,
} from './harness.js';

/**
 * Registers the tests of {@link TaskStore} (tasks and leases) in the current `describe`, against the harness's
 * storage: idempotent creation, listing and counts, compare-and-set transitions, fenced updates, leases.
 */
export function describeTaskStore(harness: StorageHarness<TaskStore>): void {
  let storage: TaskStore;
  let clock: ManualClock;
  beforeEach(() => {
    storage = harness.storage;
    clock = harness.clock;
  });
  const { lease, createTask, startTask, cancel } = taskSteps(harness);

  describe('createTask and getTask', () => {
    it('stores the record as given and reports created: true', async () => {
      const record = makeTaskRecord({ idempotency_key: 'key-1', title: 'Rust' });
      const result = await storage.createTask(record);
      expect(result).toEqual({ task: record, created: true, event: null });
      expect(await storage.getTask(record.task_id)).toEqual(record);
    });

    it('returns null for an unknown task', async () => {
      await createTask();
      expect(await storage.getTask(fixtureUuid(999_999))).toBeNull();
    });

    it('returns the existing task with created: false for the same user and idempotency key', async () => {
      const first = await createTask({ idempotency_key: 'same' });
      const again = makeTaskRecord({ idempotency_key: 'same', title: 'Another title' });
      const result = await storage.createTask(again);
      expect(result.created).toBe(false);
      expect(result.task).toEqual(first);
      expect(await storage.getTask(again.task_id)).toBeNull();
      expect((await storage.listTasks({ userId: 'user-1' })).total).toBe(1);
    });

    it('keeps the same idempotency key of different users apart', async () => {
      const mine = await createTask({ user_id: 'user-a', idempotency_key: 'same' });
      const theirs = await storage.createTask(makeTaskRecord({ user_id: 'user-b', idempotency_key: 'same' }));
      expect(theirs.created).toBe(true);
      expect(theirs.task.task_id).not.toBe(mine.task_id);
      expect(await storage.getTask(theirs.task.task_id)).toEqual(theirs.task);
    });

    it('never deduplicates tasks without an idempotency key', async () => {
      await createTask({ idempotency_key: null });
      await createTask({ idempotency_key: null });
      expect((await storage.listTasks({ userId: 'user-1' })).total).toBe(2);
    });

    it('creates exactly one task from 50 concurrent calls with one key', async () => {
      const records = Array.from({ length: 50 }, () => makeTaskRecord({ idempotency_key: 'burst' }));
      const results = await Promise.all(records.map((record) => storage.createTask(record)));
      const created = results.filter((result) => result.created);
      expect(created).toHaveLength(1);
      const winner = present(created[0], 'the created task').task.task_id;
      expect(new Set(results.map((result) => result.task.task_id))).toEqual(new Set([winner]));
      expect((await storage.listTasks({ userId: 'user-1' })).total).toBe(1);
    });
  });

  describe('listTasks', () => {
    it("lists only the given user's tasks, and every user's without userId", async () => {
      const a1 = await createTask({ user_id: 'user-a' });
      const b1 = await createTask({ user_id: 'user-b' });
      const a2 = await createTask({ user_id: 'user-a' });

      const mine = await storage.listTasks({ userId: 'user-a' });
      expect(mine.tasks.map((task) => task.task_id)).toEqual([a2.task_id, a1.task_id]);
      expect(mine.total).toBe(2);

      const everyone = await storage.listTasks({});
      expect(everyone.tasks.map((task) => task.task_id)).toEqual([a2.task_id, b1.task_id, a1.task_id]);
      expect(everyone.total).toBe(3);
      expect(everyone.counts.pending).toBe(3);

      expect(await storage.listTasks({ userId: 'nobody' })).toEqual({
        tasks: [],
        total: 0,
        counts: Object.fromEntries(taskStatuses.map((status) => [status, 0])),
      });
    });

    it('orders newest first by created_at, whatever the insertion order', async () => {
      const at = (seconds: number) => isoTime(fixtureEpochMs + seconds * 1_000);
      const middle = await createTask({ created_at: at(20) });
      const newest = await createTask({ created_at: at(30) });
      const oldest = await createTask({ created_at: at(10) });
      const { tasks } = await storage.listTasks({ userId: 'user-1' });
      expect(tasks.map((task) => task.task_id)).toEqual([newest.task_id, middle.task_id, oldest.task_id]);
    });

    it('breaks created_at ties by task_id, so pages never overlap or skip', async () => {
      const createdAt = isoTime(fixtureEpochMs);
      const ids: string[] = [];
      for (const number of [3, 1, 5, 2, 4]) {
        ids.push((await createTask({ task_id: fixtureUuid(1_000 + number), created_at: createdAt })).task_id);
      }
      const paged: string[] = [];
      for (const offset of [0, 2, 4]) {
        const page = await storage.listTasks({ userId: 'user-1', limit: 2, offset });
        expect(page.total).toBe(5);
        paged.push(...page.tasks.map((task) => task.task_id));
      }
      const ascending = [...ids].sort();
      expect([ascending, [...ascending].reverse()]).toContainEqual(paged);
    });

    it('filters by status; total follows the filter, counts per status ignore it', async () => {
      await createTask();
      await createTask();
      const started = await startTask();
      const cancelled = await createTask();
      await cancel(cancelled.task_id);
      await createTask({ user_id: 'someone-else' });

      const result = await storage.listTasks({ userId: 'user-1', statuses: ['processing', 'cancelled'] });
      expect(result.tasks.map((task) => task.task_id)).toEqual([cancelled.task_id, started.task.task_id]);
      expect(result.total).toBe(2);
      expect(result.counts).toEqual({
        pending: 2,
        processing: 1,
        completed: 0,
        failed: 0,
        partial_failure: 0,
        cancelled: 1,
        human_review_pending: 0,
        paused: 0,
      });
    });

    it('pages with limit and offset; total ignores them; the default page is 50', async () => {
      const ids: string[] = [];
      for (let index = 0; index < 55; index += 1) ids.push((await createTask()).task_id);
      const newestFirst = ids.reverse();

      const page = await storage.listTasks({ userId: 'user-1', limit: 3, offset: 2 });
      expect(page.tasks.map((task) => task.task_id)).toEqual(newestFirst.slice(2, 5));
      expect(page.total).toBe(55);

      const defaults = await storage.listTasks({ userId: 'user-1' });
      expect(defaults.tasks.map((task) => task.task_id)).toEqual(newestFirst.slice(0, 50));

      const beyond = await storage.listTasks({ userId: 'user-1', offset: 60 });
      expect(beyond.tasks).toEqual([]);
      expect(beyond.total).toBe(55);
    });
    it('filters by roadmapId, alone or with the user and statuses; counts follow the roadmap too', async () => {
      const wanted = await createTask({ roadmap_id: 'learn-go-0000000a' });
      await createTask({ roadmap_id: 'learn-go-0000000b' });
      await createTask({ user_id: 'user-2', roadmap_id: 'learn-go-0000000c' });
      const zeroCounts = Object.fromEntries(taskStatuses.map((status) => [status, 0]));

      expect(await storage.listTasks({ roadmapId: wanted.roadmap_id })).toEqual({
        tasks: [wanted],
        total: 1,
        counts: { ...zeroCounts, pending: 1 },
      });
      expect((await storage.listTasks({ userId: 'user-1', roadmapId: wanted.roadmap_id })).tasks).toEqual([wanted]);
      expect(await storage.listTasks({ userId: 'user-2', roadmapId: wanted.roadmap_id })).toEqual({
        tasks: [],
        total: 0,
        counts: zeroCounts,
      });
      const filtered = await storage.listTasks({ roadmapId: wanted.roadmap_id, statuses: ['cancelled'] });
      expect(filtered).toEqual({ tasks: [], total: 0, counts: { ...zeroCounts, pending: 1 } });
      expect((await storage.listTasks({ roadmapId: 'no-such-roadmap' })).total).toBe(0);
    });
  });

  describe('roadmap ids are unique', () => {
    it('refuses a second task under a roadmap id another task holds, storing nothing', async () => {
      const mine = await createTask({ user_id: 'user-a', roadmap_id: 'learn-go-0000beef' });
      const theirs = makeTaskRecord({ user_id: 'user-b', roadmap_id: 'learn-go-0000beef' });
      await expect(storage.createTask(theirs)).rejects.toMatchObject({ code: 'roadmap_id_taken' });
      expect(await storage.getTask(theirs.task_id)).toBeNull();
      expect((await storage.listTasks({ roadmapId: 'learn-go-0000beef' })).tasks).toEqual([mine]);
    });

    it('refuses it for the same user too, and still deduplicates by idempotency key first', async () => {
      const first = await createTask({ roadmap_id: 'learn-go-0000cafe', idempotency_key: 'k' });
      await expect(storage.createTask(makeTaskRecord({ roadmap_id: 'learn-go-0000cafe' }))).rejects.toMatchObject({
        code: 'roadmap_id_taken',
      });
      const again = await storage.createTask(makeTaskRecord({ roadmap_id: 'learn-go-0000cafe', idempotency_key: 'k' }));
      expect(again).toMatchObject({ task: first, created: false });
    });

    it('lets the holder move its task to a free roadmap id, but not to a held one', async () => {
      await createTask({ roadmap_id: 'learn-go-00000001' });
      const { task, fence } = await startTask({ roadmap_id: 'learn-go-00000002' });
      await expect(storage.updateTask(fence, { roadmap_id: 'learn-go-00000001' })).rejects.toMatchObject({
        code: 'roadmap_id_taken',
      });
      expect((await storage.getTask(task.task_id))?.roadmap_id).toBe('learn-go-00000002');
      const moved = await storage.updateTask(fence, { roadmap_id: 'learn-go-00000003' });
      expect(moved?.roadmap_id).toBe('learn-go-00000003');
      // The old id is free again.
      expect((await storage.createTask(makeTaskRecord({ roadmap_id: 'learn-go-00000002' }))).created).toBe(true);
    });
  });

  describe('transitionTask (compare-and-set)', () => {
    it('changes the status and applies the patch when the current status is listed', async () => {
      const task = await createTask();
      const patch = { cancel_reason: 'changed my mind', current_step: 'cancelled' as const, updated_at: isoTime(1) };
      const changed = await storage.transitionTask(task.task_id, { from: ['pending'], to: 'cancelled', patch });
      const expected = { ...task, ...patch, status: 'cancelled' };
      expect(changed).toEqual({ task: expected, event: null });
      expect(await storage.getTask(task.task_id)).toEqual(expected);
    });

    it('returns null and changes nothing when the current status is not listed', async () => {
      const task = await createTask();
      const result = await storage.transitionTask(task.task_id, {
        from: ['processing', 'failed'],
        to: 'completed',
        patch: { error_message: 'should not be written' },
      });
      expect(result).toBeNull();
      expect(await storage.getTask(task.task_id)).toEqual(task);
    });

    it('returns null for an unknown task', async () => {
      expect(await storage.transitionTask(fixtureUuid(999_999), { from: ['pending'], to: 'cancelled' })).toBeNull();
    });

    it('with a leaseToken, succeeds only for the holder', async () => {
      const { task, fence } = await startTask({}, 'holder');
      const stale = await storage.transitionTask(task.task_id, {
        from: ['processing'],
        to: 'completed',
        leaseToken: 'someone-else',
      });
      expect(stale).toBeNull();
      expect(await storage.getTask(task.task_id)).toEqual(task);

      const done = await storage.transitionTask(task.task_id, {
        from: ['processing'],
        to: 'completed',
        leaseToken: fence.leaseToken,
        patch: { lease_token: null, lease_expires_at: null, completed_at: isoTime(clock.now()) },
      });
      expect(done?.task).toMatchObject({ status: 'completed', lease_token: null, lease_expires_at: null });
      expect(await storage.getTask(task.task_id)).toEqual(done?.task);
    });

    it('with a leaseToken, fails on a task nobody holds', async () => {
      const task = await createTask();
      expect(
        await storage.transitionTask(task.task_id, { from: ['pending'], to: 'cancelled', leaseToken: 'any' }),
      ).toBeNull();
      expect((await storage.getTask(task.task_id))?.status).toBe('pending');
    });

    it('without a leaseToken, changes a held task (a cancel from another process)', async () => {
      const { task } = await startTask();
      const cancelled = await storage.transitionTask(task.task_id, { from: ['processing'], to: 'cancelled' });
      expect(cancelled?.task.status).toBe('cancelled');
    });

    it('lets exactly one of many concurrent transitions from the same status win', async () => {
      const { task } = await startTask();
      const targets: TaskStatus[] = Array.from({ length: 20 }, (_, index) =>
        index % 2 === 0 ? 'completed' : 'cancelled',
      );
      const results = await Promise.all(
        targets.map((to, index) =>
          storage.transitionTask(task.task_id, { from: ['processing'], to, patch: { error_message: `${index}` } }),
        ),
      );
      const winners = results.filter((result) => result !== null);
      expect(winners).toHaveLength(1);
      expect(await storage.getTask(task.task_id)).toEqual(winners[0]?.task);
    });
  });

  describe('usage (SPEC §7)', () => {
    const usage = (calls: number, cost: number | null) => ({
      calls,
      input_tokens: calls * 100,
      output_tokens: calls * 200,
      cost_usd: cost,
    });

    it("keeps a task's usage and budget as created, and the holder updates the usage", async () => {
      const created = await createTask({ usage: usage(2, 0.25), budget_usd: 1.5 });
      expect(await storage.getTask(created.task_id)).toMatchObject({ usage: usage(2, 0.25), budget_usd: 1.5 });
      const { task, fence } = await startTask();
      const updated = await storage.updateTask(fence, { usage: usage(3, 0.000123456) });
      expect(updated?.usage).toEqual(usage(3, 0.000123456));
      expect((await storage.getTask(task.task_id))?.usage).toEqual(usage(3, 0.000123456));
      expect(
        (await storage.listTasks({ userId: task.user_id })).tasks.find((t) => t.task_id === task.task_id)?.usage,
      ).toEqual(usage(3, 0.000123456));
    });

    it('adds usage atomically whatever the status, keeping an unknown cost unknown; null for a missing task', async () => {
      const created = await createTask({ usage: usage(2, 0.25) });
      const added = await storage.addTaskUsage(created.task_id, usage(1, 0.04));
      expect(added?.usage).toEqual({ calls: 3, input_tokens: 300, output_tokens: 600, cost_usd: 0.29 });
      // Concurrent additions all count.
      await Promise.all(Array.from({ length: 10 }, () => storage.addTaskUsage(created.task_id, usage(1, 0.01))));
      expect((await storage.getTask(created.task_id))?.usage).toEqual(usage(13, 0.39));
      // Finished tasks too (an image paid after the run), and unknown costs stay unknown.
      await cancel(created.task_id);
      expect((await storage.addTaskUsage(created.task_id, usage(1, null)))?.usage).toEqual(usage(14, null));
      expect((await storage.addTaskUsage(created.task_id, usage(1, 0.5)))?.usage).toEqual(usage(15, null));
      expect(await storage.addTaskUsage(fixtureUuid(999), usage(1, 0.1))).toBeNull();
    });

    it("sums the usage of one user's tasks created in [from, before), unknown costs adding 0", async () => {
      const at = (day: number) => isoTime(Date.UTC(2026, 2, day, 12));
      await createTask({ created_at: at(1), usage: usage(1, 0.1) });
      await createTask({ created_at: at(2), usage: usage(2, 0.2) });
      await createTask({ created_at: at(2), usage: usage(4, null) });
      await createTask({ created_at: at(3), usage: usage(8, 0.8) });
      await createTask({ created_at: at(2), user_id: 'user-2', usage: usage(16, 1.6) });
      const sum = await storage.sumUsage({
        userId: 'user-1',
        createdFrom: isoTime(Date.UTC(2026, 2, 2)),
        createdBefore: isoTime(Date.UTC(2026, 2, 3)),
      });
      expect(sum).toEqual({ calls: 6, input_tokens: 600, output_tokens: 1200, cost_usd: 0.2 });
      const all = await storage.sumUsage({ userId: 'user-1', createdFrom: at(1), createdBefore: at(4) });
      expect(all).toEqual({ calls: 15, input_tokens: 1500, output_tokens: 3000, cost_usd: 1.1 });
      expect(await storage.sumUsage({ userId: 'nobody', createdFrom: at(1), createdBefore: at(4) })).toEqual({
        calls: 0,
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: 0,
      });
    });
  });

  describe('updateTask (fenced)', () => {
    it('applies the patch for the lease holder and leaves the status alone', async () => {
      const { task, fence } = await startTask();
      const patch = {
        current_step: 'curriculum_design' as const,
        progress: { completed: 1, failed: 0, total: 3, percentage: 33 },
        title: 'Rust in depth',
        updated_at: isoTime(clock.now() + 5),
      };
      const updated = await storage.updateTask(fence, patch);
      expect(updated).toEqual({ ...task, ...patch });
      expect(await storage.getTask(task.task_id)).toEqual({ ...task, ...patch });
    });

    it('returns null and changes nothing for a stale token, a cancelled task or an unknown task', async () => {
      const { task, fence } = await startTask();
      expect(await storage.updateTask({ ...fence, leaseToken: 'stale' }, { title: 'x' })).toBeNull();
      expect(await storage.updateTask({ ...fence, taskId: fixtureUuid(999_999) }, { title: 'x' })).toBeNull();
      expect(await storage.getTask(task.task_id)).toEqual(task);

      const cancelled = present(await cancel(task.task_id), 'the cancelled task');
      expect(cancelled.lease_token).toBe(fence.leaseToken);
      expect(await storage.updateTask(fence, { title: 'x' })).toBeNull();
      expect(await storage.getTask(task.task_id)).toEqual(cancelled);
    });
  });

  describe('leases', () => {
    it('acquireLease takes a pending task: processing, token, expiry, attempts + 1', async () => {
      const task = await createTask({ attempts: 0 });
      const now = clock.now();
      const result = await storage.acquireLease(task.task_id, lease('token-a', now));
      const expected = {
        ...task,
        status: 'processing',
        lease_token: 'token-a',
        lease_expires_at: now + leaseMs,
        attempts: 1,
        updated_at: isoTime(now),
      };
      expect(result).toEqual({ task: expected, previousStatus: 'pending', recovered: false });
      expect(await storage.getTask(task.task_id)).toEqual(expected);
    });

    it('acquireLease returns null while the lease is live, and recovers it once expired', async () => {
      const now = clock.now();
      const { task } = await startTask({}, 'first');
      expect(await storage.acquireLease(task.task_id, lease('second', now + leaseMs - 1))).toBeNull();
      expect((await storage.getTask(task.task_id))?.lease_token).toBe('first');

      // A lease is dead at its expiry time (`lease_expires_at <= now`).
      const recovered = claimed(await storage.acquireLease(task.task_id, lease('second', now + leaseMs)), 'lease');
      expect(recovered.recovered).toBe(true);
      expect(recovered.previousStatus).toBe('processing');
      expect(recovered.task).toMatchObject({
        status: 'processing',
        lease_token: 'second',
        lease_expires_at: now + 2 * leaseMs,
        attempts: 2,
      });
      expect(await storage.renewLease({ taskId: task.task_id, leaseToken: 'first' }, now + 3 * leaseMs)).toBe(false);
    });

    it('acquireLease claims a released lease at once, as a recovery', async () => {
      const { task, fence } = await startTask();
      expect(await storage.releaseLease(fence)).toBe(true);
      const result = claimed(await storage.acquireLease(task.task_id, lease('next')), 'a lease');
      expect(result.recovered).toBe(true);
      expect(result.task.lease_token).toBe('next');
    });

    it('with a user limit, claims while the user has fewer tasks processing under live leases (SPEC §7)', async () => {
      const limited = (token: string, userLimit: number) => ({ ...lease(token), userLimit });
      const first = await createTask();
      const second = await createTask();
      const third = await createTask();
      const foreign = await createTask({ user_id: 'user-2' });
      claimed(await storage.acquireLease(first.task_id, limited('a', 2)), 'the first claim');
      claimed(await storage.acquireLease(second.task_id, limited('b', 2)), 'the second claim');
      // The user is at the limit: nothing changes, and the answer says why.
      expect(await storage.acquireLease(third.task_id, limited('c', 2))).toEqual({ userAtLimit: true });
      expect(await storage.getTask(third.task_id)).toMatchObject({ status: 'pending', lease_token: null, attempts: 0 });
      // Other users are not counted; without a limit nothing is.
      claimed(await storage.acquireLease(foreign.task_id, limited('d', 2)), "another user's claim");
      // A task that cannot be claimed at all is null, limit or not.
      expect(await storage.acquireLease(first.task_id, limited('e', 2))).toBeNull();
      // A released lease frees its slot; so does an expired one.
      await storage.releaseLease({ taskId: first.task_id, leaseToken: 'a' });
      claimed(await storage.acquireLease(third.task_id, limited('c', 2)), 'the claim after a release');
      const fourth = await createTask();
      expect(await storage.acquireLease(fourth.task_id, limited('f', 2))).toEqual({ userAtLimit: true });
      const later = clock.now() + leaseMs;
      claimed(await storage.acquireLease(fourth.task_id, { ...lease('f', later), userLimit: 2 }), 'after expiry');
    });

    it("with a user limit, 20 concurrent claims of one user's tasks take exactly the limit", async () => {
      const created = await Promise.all(Array.from({ length: 20 }, () => createTask()));
      const results = await Promise.all(
        created.map((task, index) => storage.acquireLease(task.task_id, { ...lease(`t${index}`), userLimit: 3 })),
      );
      expect(results.filter((result) => result !== null && !isUserAtLimit(result))).toHaveLength(3);
      expect(results.filter((result) => result !== null && isUserAtLimit(result))).toHaveLength(17);
      const listed = await storage.listTasks({ userId: 'user-1', statuses: ['processing'] });
      expect(listed.total).toBe(3);
    });

    it('acquireLease returns null for terminal and unknown tasks', async () => {
      for (const status of ['completed', 'failed', 'partial_failure', 'cancelled'] as const) {
        const task = await createTask({ status });
        expect(await storage.acquireLease(task.task_id, lease('token'))).toBeNull();
        expect(await storage.getTask(task.task_id)).toEqual(task);
      }
      expect(await storage.acquireLease(fixtureUuid(999_999), lease('token'))).toBeNull();
    });

    it('acquireLease gives a task to exactly one of many concurrent claimers', async () => {
      const task = await createTask();
      const tokens = Array.from({ length: 20 }, (_, index) => `token-${index}`);
      const results = await Promise.all(tokens.map((token) => storage.acquireLease(task.task_id, lease(token))));
      const winners = results.flatMap((result) => (result === null ? [] : [claimed(result, 'a claim')]));
      expect(winners).toHaveLength(1);
      const stored = present(await storage.getTask(task.task_id), 'the task');
      expect(stored.lease_token).toBe(winners[0]?.task.lease_token);
      expect(stored.attempts).toBe(1);
    });

    it('renewLease extends the holder’s lease and refuses stale tokens and cancelled tasks', async () => {
      const now = clock.now();
      const { task, fence } = await startTask();
      expect(await storage.renewLease(fence, now + 2 * leaseMs)).toBe(true);
      expect((await storage.getTask(task.task_id))?.lease_expires_at).toBe(now + 2 * leaseMs);
      // Still live at the first expiry.
      expect(await storage.acquireLease(task.task_id, lease('other', now + leaseMs))).toBeNull();

      expect(await storage.renewLease({ ...fence, leaseToken: 'stale' }, now + 9 * leaseMs)).toBe(false);
      await cancel(task.task_id);
      expect(await storage.renewLease(fence, now + 9 * leaseMs)).toBe(false);
      expect((await storage.getTask(task.task_id))?.lease_expires_at).toBe(now + 2 * leaseMs);
    });

    it('releaseLease clears the lease, keeps the status, and works once', async () => {
      const { task, fence } = await startTask();
      expect(await storage.releaseLease({ ...fence, leaseToken: 'stale' })).toBe(false);
      expect(await storage.releaseLease(fence)).toBe(true);
      expect(await storage.getTask(task.task_id)).toMatchObject({
        status: 'processing',
        lease_token: null,
        lease_expires_at: null,
      });
      expect(await storage.releaseLease(fence)).toBe(false);
    });

    it('listRecoverableTasks returns processing tasks without a live lease and stale pending tasks, no others', async () => {
      const now = clock.now();
      const live = await startTask();
      const expired = await createTask();
      await storage.acquireLease(expired.task_id, lease('old', now - 2 * leaseMs));
      const expiringNow = await createTask();
      await storage.acquireLease(expiringNow.task_id, lease('edge', now - leaseMs));
      const released = await startTask({}, 'released');
      await storage.releaseLease(released.fence);
      const stalePending = await createTask({ updated_at: isoTime(now - 60_000) });
      const freshPending = await createTask({ updated_at: isoTime(now) });
      const finished = await createTask();
      await storage.acquireLease(finished.task_id, lease('done', now - 2 * leaseMs));
      await storage.transitionTask(finished.task_id, { from: ['processing'], to: 'completed' });
      await createTask({ status: 'cancelled', updated_at: isoTime(now - 60_000) });

      const ids = (tasks: readonly { task_id: string }[]) => tasks.map((task) => task.task_id);
      const recoverable = await storage.listRecoverableTasks({
        now,
        pendingUpdatedBefore: isoTime(now - 30_000),
        limit: 100,
      });
      const orphans = [expired.task_id, expiringNow.task_id, released.task.task_id];
      expect(ids(recoverable)).toEqual([...orphans, stalePending.task_id].sort());
      expect(ids(recoverable)).not.toContain(live.task.task_id);
      expect(recoverable.find((task) => task.task_id === expired.task_id)?.status).toBe('processing');

      const everyPending = await storage.listRecoverableTasks({ now, pendingUpdatedBefore: null, limit: 100 });
      expect(ids(everyPending)).toEqual([...orphans, stalePending.task_id, freshPending.task_id].sort());
    });

    it('review and pause (SPEC §7): neither is claimed nor recovered; a reviewed task is claimed from processing', async () => {
      const now = clock.now();
      const review = await startTask({}, 'designer');
      const waiting = await storage.transitionTask(review.task.task_id, {
        from: ['processing'],
        to: 'human_review_pending',
        leaseToken: 'designer',
        patch: { review_round: 1, current_step: 'human_review', lease_token: null, lease_expires_at: null },
      });
      expect(waiting?.task).toMatchObject({ status: 'human_review_pending', review_round: 1, lease_token: null });
      const paused = await createTask();
      await storage.transitionTask(paused.task_id, {
        from: ['pending'],
        to: 'paused',
        patch: { pause_reason: 'user' },
      });
      expect(await storage.acquireLease(review.task.task_id, lease('other', now + leaseMs))).toBeNull();
      expect(await storage.acquireLease(paused.task_id, lease('other', now + leaseMs))).toBeNull();
      const recoverable = await storage.listRecoverableTasks({ now, pendingUpdatedBefore: null, limit: 100 });
      expect(recoverable.map((task) => task.task_id)).toEqual([]);
      expect((await storage.listTasks({ statuses: ['paused'] })).tasks.map((task) => task.pause_reason)).toEqual([
        'user',
      ]);

      // Answered: back to processing without a lease, which the next worker claims.
      await storage.transitionTask(review.task.task_id, { from: ['human_review_pending'], to: 'processing' });
      const reviewed = claimed(
        await storage.acquireLease(review.task.task_id, lease('worker', now + leaseMs)),
        'lease',
      );
      expect(reviewed.task).toMatchObject({ status: 'processing', lease_token: 'worker', review_round: 1 });
    });

    it('listRecoverableTasks pages by task id with a limit, each task once', async () => {
      const now = clock.now();
      const created = [];
      for (let index = 0; index < 7; index += 1) created.push((await createTask()).task_id);
      const orphan = await createTask();
      await storage.acquireLease(orphan.task_id, lease('old', now - 2 * leaseMs));
      created.push(orphan.task_id);
      const seen: string[] = [];
      let afterTaskId: string | undefined;
      for (let pages = 0; pages < 10; pages += 1) {
        const page = await storage.listRecoverableTasks({ now, pendingUpdatedBefore: null, afterTaskId, limit: 3 });
        expect(page.length).toBeLessThanOrEqual(3);
        seen.push(...page.map((task) => task.task_id));
        if (page.length < 3) break;
        afterTaskId = page.at(-1)?.task_id;
      }
      expect(seen).toEqual([...created].sort());
    });

    it('listPausedTasks pages the tasks paused for one reason by task id, each once, and none other', async () => {
      const pause = async (reason: 'user' | 'budget') => {
        const task = await createTask();
        await storage.transitionTask(task.task_id, {
          from: ['pending'],
          to: 'paused',
          patch: { pause_reason: reason },
        });
        return task.task_id;
      };
      const onBudget: string[] = [];
      for (let index = 0; index < 5; index += 1) onBudget.push(await pause('budget'));
      const byUser = await pause('user');
      await createTask();
      const resumed = await pause('budget');
      await storage.transitionTask(resumed, { from: ['paused'], to: 'pending', patch: { pause_reason: null } });
      const seen: string[] = [];
      let afterTaskId: string | undefined;
      for (let pages = 0; pages < 10; pages += 1) {
        const page = await storage.listPausedTasks({ pauseReason: 'budget', afterTaskId, limit: 2 });
        expect(page.length).toBeLessThanOrEqual(2);
        expect(page.every((task) => task.status === 'paused' && task.pause_reason === 'budget')).toBe(true);
        seen.push(...page.map((task) => task.task_id));
        if (page.length < 2) break;
        afterTaskId = page.at(-1)?.task_id;
      }
      expect(seen).toEqual([...onBudget].sort());
      const userPaused = await storage.listPausedTasks({ pauseReason: 'user', limit: 10 });
      expect(userPaused.map((task) => task.task_id)).toEqual([byUser]);
    });
  });

  describe('sweep leases', () => {
    const sweep = (holder: string, now: number, ttl = 10_000) => ({
      name: 'recovery',
      holder,
      now,
      expiresAt: now + ttl,
    });

    it('one holder at a time; the holder extends it; it frees on expiry or release', async () => {
      const now = clock.now();
      expect(await storage.acquireSweepLease(sweep('a', now))).toBe(true);
      expect(await storage.acquireSweepLease(sweep('b', now + 5_000))).toBe(false);
      expect(await storage.acquireSweepLease(sweep('a', now + 5_000))).toBe(true);
      // a extended to now + 15 000: b still waits at now + 12 000, takes it once it lapsed.
      expect(await storage.acquireSweepLease(sweep('b', now + 12_000))).toBe(false);
      expect(await storage.acquireSweepLease(sweep('b', now + 15_000))).toBe(true);
      expect(await storage.acquireSweepLease(sweep('a', now + 16_000))).toBe(false);
      await storage.releaseSweepLease('recovery', 'a');
      expect(await storage.acquireSweepLease(sweep('a', now + 16_000))).toBe(false);
      await storage.releaseSweepLease('recovery', 'b');
      expect(await storage.acquireSweepLease(sweep('a', now + 16_000))).toBe(true);
    });

    it('keeps sweeps of different names apart', async () => {
      const now = clock.now();
      expect(await storage.acquireSweepLease(sweep('a', now))).toBe(true);
      expect(await storage.acquireSweepLease({ ...sweep('b', now), name: 'covers' })).toBe(true);
    });

    it('of 20 concurrent claimers exactly one wins', async () => {
      const now = clock.now();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) => storage.acquireSweepLease(sweep(`holder-${index}`, now))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('returned values are copies', () => {
    it('mutating tasks read or written never changes what is stored', async () => {
      const record = makeTaskRecord();
      const original = structuredClone(record);
      const { task } = await storage.createTask(record);
      record.title = 'mutated input';
      record.failed_concepts.concept_ids.push('input');
      task.title = 'mutated result';
      task.progress.completed = 99;
      const read = present(await storage.getTask(original.task_id), 'the task');
      read.request.preferences.learning_goal = 'mutated read';
      const listed = (await storage.listTasks({})).tasks[0];
      listed?.failed_concepts.concept_ids.push('listed');
      expect(await storage.getTask(original.task_id)).toEqual(original);

      const acquired = claimed(await storage.acquireLease(original.task_id, lease('token')), 'a lease');
      const afterLease = structuredClone(acquired.task);
      acquired.task.lease_token = 'forged';
      const patch = { progress: { completed: 1, failed: 0, total: 3, percentage: 33 } };
      const updated = present(await storage.updateTask({ taskId: original.task_id, leaseToken: 'token' }, patch), 'u');
      patch.progress.completed = 3;
      updated.progress.failed = 7;
      expect(await storage.getTask(original.task_id)).toEqual({
        ...afterLease,
        progress: { completed: 1, failed: 0, total: 3, percentage: 33 },
      });
      const { task: transitioned } = present(
        await storage.transitionTask(original.task_id, { from: ['processing'], to: 'failed' }),
        'the task',
      );
      transitioned.status = 'completed';
      expect((await storage.getTask(original.task_id))?.status).toBe('failed');
    });
  });
}

/**
 * Registers vitest tests that check every documented contract of {@link TaskStore}. `runStorageConformance` runs
 * them with the other parts; call this one alone while a storage is being written, part by part.
 *
 * @example
 * runTaskStoreConformance('my storage', () => ({ storage: createMyStorage() }));
 */
export function runTaskStoreConformance(name: string, createStorage: StorageFactory<TaskStore>): void {
  describe(`${name}: TaskStore conformance`, () => {
    describeTaskStore(useStorage(createStorage));
  });
}
