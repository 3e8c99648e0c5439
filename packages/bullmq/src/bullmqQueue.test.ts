import type { QueueJob } from '@roadmap/core';
import { runQueueConformance } from '@roadmap/core/testing';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BullmqQueue, type BullmqQueueOptions, createBullmqQueue } from './bullmqQueue.js';
import {
  checkRedis,
  killConnections,
  redisUrl,
  removeKeys,
  uniquePrefix,
  waitFor,
  waitForBlockedFetch,
  within,
  withRedis,
} from './redisTestSupport.js';

const available = await checkRedis();

describe.skipIf(!available)('bullmq', () => {
  runQueueConformance(
    'bullmq',
    async () => {
      const prefix = uniquePrefix('conformance');
      const open = async () => {
        const queue = createBullmqQueue({ connection: redisUrl, prefix, onError: () => {} });
        await queue.waitUntilReady();
        return queue;
      };
      return { queue: await open(), createPeer: open, cleanup: () => removeKeys(prefix) };
    },
    { realTime: true, leaseMs: 1_000, toleranceMs: 1_000 },
  );

  describe('createBullmqQueue on Redis', () => {
    const leaseMs = 1_000;
    const stalledIntervalMs = 250;
    let prefix: string;
    let opened: BullmqQueue[];
    let errors: unknown[];

    /** A queue instance on this test's prefix: a second call is a second process on the same queue. */
    const open = async (options: Partial<BullmqQueueOptions> = {}) => {
      const queue = createBullmqQueue({
        connection: redisUrl,
        prefix,
        queueName: 'adapter',
        stalledIntervalMs,
        onError: (error) => errors.push(error),
        ...options,
      });
      opened.push(queue);
      await queue.waitUntilReady();
      return queue;
    };
    const claim = (queue: BullmqQueue, abortSignal?: AbortSignal) =>
      queue.claim({ leaseMs, workerId: 'adapter-test', abortSignal });
    /** BullMQ's event stream of this test's queue, oldest first, each event's fields as an object. */
    const jobEvents = () =>
      withRedis(async (client) =>
        (await client.xrange(`${prefix}:adapter:events`, '-', '+')).map(([, fields]) => {
          const event: Record<string, string> = {};
          for (let index = 0; index + 1 < fields.length; index += 2) {
            event[fields[index] as string] = fields[index + 1] as string;
          }
          return event;
        }),
      );

    beforeEach(() => {
      prefix = uniquePrefix('adapter');
      opened = [];
      errors = [];
    });

    afterEach(async () => {
      for (const queue of opened) await queue.close();
      await removeKeys(prefix);
    });

    it('never gives one job to two claimers on different instances at once', async () => {
      const first = await open();
      const second = await open();
      const taskIds = Array.from({ length: 20 }, (_, index) => `task-${index}`);
      const delivered: QueueJob[] = [];
      for (const queue of [first, second]) {
        for (let lane = 0; lane < 12; lane += 1) void claim(queue).then((job) => job && delivered.push(job));
      }
      for (const taskId of taskIds) await first.enqueue(taskId);
      await waitFor(() => delivered.length >= taskIds.length, 'every task to be delivered');
      // The 4 spare claims still wait: 4 more tasks reach them. A job delivered twice would have taken one of them,
      // leaving a task undelivered.
      const spare = Array.from({ length: 4 }, (_, index) => `spare-${index}`);
      for (const taskId of spare) await first.enqueue(taskId);
      await waitFor(() => delivered.length >= taskIds.length + spare.length, 'the spare claims to get the spare tasks');
      expect(delivered.map((job) => job.taskId).sort()).toEqual([...taskIds, ...spare].sort());
      expect(new Set(delivered.map((job) => job.token)).size).toBe(delivered.length);
    });

    it('moves the job of a claimer whose heartbeats stopped to another instance once its lease runs out', async () => {
      const crashed = await open();
      const survivor = await open();
      await crashed.enqueue('task-a');
      const lost = await claim(crashed);
      if (!lost) throw new Error('Expected a job');
      expect(lost.taskId).toBe('task-a');
      let takenYet = false;
      const taking = claim(survivor).then((job) => {
        takenYet = true;
        return job;
      });
      await waitForBlockedFetch(prefix);
      // The lease is the claim's: Redis keeps the job's lock for `leaseMs`.
      const lockTtl = await withRedis((client) => client.pttl(`${prefix}:adapter:task-a:lock`));
      expect(lockTtl).toBeGreaterThan(leaseMs / 2);
      expect(lockTtl).toBeLessThanOrEqual(leaseMs);
      // While the holder still heartbeats, the job stays with it; then the holder stops, as a crashed one does.
      expect(await crashed.heartbeat(lost, leaseMs)).toBe(true);
      expect(takenYet).toBe(false);
      // Within the lease and two stall checks (BullMQ's default check, every 30 s, would miss this).
      const taken = await within(taking, leaseMs + 2 * stalledIntervalMs + 2_000, null);
      if (!taken) throw new Error('The job never reached the other instance');
      expect(taken.taskId).toBe('task-a');
      expect(taken.token).not.toBe(lost.token);
      expect(await crashed.heartbeat(lost, leaseMs)).toBe(false);
      expect(await survivor.heartbeat(taken, leaseMs)).toBe(true);
    });

    it('makes a requeued job claimable by another instance at once', async () => {
      // A lease longer than the test's timeout: the other instance can only get the job through the requeue.
      const longLease = { leaseMs: 60_000, workerId: 'adapter-test' };
      const holder = await open();
      const other = await open();
      await holder.enqueue('task-a');
      const held = await holder.claim(longLease);
      if (!held) throw new Error('Expected a job');
      const waiting = other.claim(longLease);
      await holder.release(held, { requeue: true });
      const again = await waiting;
      expect(again?.taskId).toBe('task-a');
      expect(again?.token).not.toBe(held.token);
      expect(await holder.heartbeat(held, longLease.leaseMs)).toBe(false);
    });

    it('delivers a cancel broadcast to a listener on another instance', async () => {
      const api = await open();
      const worker = await open();
      const heard = new Promise<string>((resolve) => worker.onCancel(resolve));
      await api.broadcastCancel('task-a');
      expect(await heard).toBe('task-a');
    });

    it('puts back a job that arrives after its claim was aborted, so another claimer gets it at once', async () => {
      // A lease longer than the test's timeout: a job kept by the aborted instance would never reach the other.
      const longLease = { leaseMs: 60_000, workerId: 'adapter-test' };
      const aborting = await open();
      const controller = new AbortController();
      const aborted = aborting.claim({ ...longLease, abortSignal: controller.signal });
      // Abort while the fetch is blocked on Redis: the job that arrives next is fetched for nobody.
      await waitForBlockedFetch(prefix);
      controller.abort();
      expect(await aborted).toBeNull();
      await aborting.enqueue('task-a');
      // BullMQ's event stream shows the job fetched (active) and put back (waiting again).
      await waitFor(
        async () => (await jobEvents()).some((event) => event.jobId === 'task-a' && event.prev === 'active'),
        'the job to be fetched for the aborted claim and put back',
      );
      const other = await open();
      const taken = await other.claim(longLease);
      expect(taken?.taskId).toBe('task-a');
    });

    it('does not lose a job when the Redis connections drop during a claim', async () => {
      const queue = await open();
      const waiting = claim(queue);
      await waitForBlockedFetch(prefix);
      expect(await killConnections(prefix)).toBeGreaterThanOrEqual(3);
      await queue.enqueue('task-a');
      const job = await within(waiting, 8_000, null);
      expect(job?.taskId).toBe('task-a');
      if (!job) throw new Error('unreachable');
      // The lease survives a second drop: the holder can still heartbeat and release it.
      await killConnections(prefix);
      await waitFor(() => queue.heartbeat(job, leaseMs), 'the heartbeat to succeed after reconnecting', {
        timeoutMs: 5_000,
        intervalMs: 100,
      });
      await queue.release(job);
      await queue.enqueue('task-a');
      expect((await within(claim(queue), 2_000, null))?.taskId).toBe('task-a');
    });

    it('uses a client passed in without closing it, and opens (then closes) its own blocking connections', async () => {
      const client = new Redis(redisUrl);
      try {
        const queue = await open({ connection: client });
        await queue.enqueue('task-a');
        expect((await claim(queue))?.taskId).toBe('task-a');
        await queue.close();
        expect(client.status).toBe('ready');
        expect(await client.ping()).toBe('PONG');
        const names = await withRedis(async (admin) => (await admin.call('CLIENT', 'LIST')) as string);
        expect(names).not.toContain(`name=${prefix}:`);
      } finally {
        client.disconnect();
      }
    });

    it('accepts ioredis options', async () => {
      const url = new URL(redisUrl);
      const queue = await open({ connection: { host: url.hostname, port: Number(url.port || 6379) } });
      await queue.enqueue('task-a');
      expect((await claim(queue))?.taskId).toBe('task-a');
    });

    it('closes every connection it opened, and close() can be called twice', async () => {
      const queue = await open();
      await queue.enqueue('task-a');
      expect((await claim(queue))?.taskId).toBe('task-a');
      await Promise.all([queue.close(), queue.close()]);
      await queue.close();
      const names = await withRedis(async (admin) => (await admin.call('CLIENT', 'LIST')) as string);
      expect(names).not.toContain(`name=${prefix}:`);
      expect(errors).toEqual([]);
    });
  });
});
