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
      // Well within the lease: no job can have been delivered a second time, and the 4 spare claims still wait.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(delivered.map((job) => job.taskId).sort()).toEqual([...taskIds].sort());
      expect(new Set(delivered.map((job) => job.token)).size).toBe(taskIds.length);
    });

    it('moves the job of a claimer whose heartbeats stopped to another instance within lease + stalled interval', async () => {
      const crashed = await open();
      const survivor = await open();
      await crashed.enqueue('task-a');
      const lost = await claim(crashed);
      const claimedAt = Date.now();
      expect(lost?.taskId).toBe('task-a');
      const taken = await within(claim(survivor), leaseMs + 2 * stalledIntervalMs + 1_000, null);
      const elapsed = Date.now() - claimedAt;
      expect(taken?.taskId).toBe('task-a');
      expect(taken?.token).not.toBe(lost?.token);
      expect(elapsed).toBeGreaterThanOrEqual(leaseMs - 50);
      expect(elapsed).toBeLessThan(leaseMs + 2 * stalledIntervalMs + 500);
      if (!lost || !taken) throw new Error('unreachable');
      expect(await crashed.heartbeat(lost, leaseMs)).toBe(false);
      expect(await survivor.heartbeat(taken, leaseMs)).toBe(true);
    });

    it('makes a requeued job claimable by another instance at once', async () => {
      const holder = await open();
      const other = await open();
      await holder.enqueue('task-a');
      const held = await claim(holder);
      if (!held) throw new Error('Expected a job');
      const waiting = claim(other);
      const startedAt = Date.now();
      await holder.release(held, { requeue: true });
      const again = await within(waiting, 1_000, null);
      expect(again?.taskId).toBe('task-a');
      expect(Date.now() - startedAt).toBeLessThan(300);
      expect(again?.token).not.toBe(held.token);
    });

    it('delivers a cancel broadcast to a listener on another instance', async () => {
      const api = await open();
      const worker = await open();
      const heard: string[] = [];
      worker.onCancel((taskId) => heard.push(taskId));
      const startedAt = Date.now();
      await api.broadcastCancel('task-a');
      await waitFor(() => heard.length === 1, 'the broadcast', { timeoutMs: 1_000 });
      expect(heard).toEqual(['task-a']);
      expect(Date.now() - startedAt).toBeLessThan(250);
    });

    it('puts back a job that arrives after its claim was aborted, so another claimer gets it at once', async () => {
      const aborting = await open();
      const other = await open();
      const controller = new AbortController();
      const aborted = claim(aborting, controller.signal);
      // Let the fetch block on Redis, then abort while it is still blocked.
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort();
      expect(await aborted).toBeNull();
      await other.enqueue('task-a');
      const taken = await within(claim(other), leaseMs / 2, null);
      expect(taken?.taskId).toBe('task-a');
    });

    it('does not lose a job when the Redis connections drop during a claim', async () => {
      const queue = await open();
      const waiting = claim(queue);
      await new Promise((resolve) => setTimeout(resolve, 50));
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
