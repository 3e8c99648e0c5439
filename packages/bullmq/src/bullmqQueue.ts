import type { ClaimOptions, Queue, QueueJob } from '@roadmap/core';
import * as bullmq from 'bullmq';
import type { Redis } from 'ioredis';
import { closeConnection, openConnection, type RedisConnection } from './redisConnection.js';

export interface BullmqQueueOptions {
  /**
   * Redis: a URL such as `process.env.REDIS_URL`, ioredis options, or an ioredis client. A client passed in runs the
   * queue's commands and is never closed by the queue; the blocking worker connections and the cancel subscriber
   * are opened from its options (and closed by `close()`).
   */
  connection: RedisConnection;
  /** Name of the BullMQ queue: every API and worker process that shares tasks must use the same. Default: `'roadmap-tasks'`. */
  queueName?: string;
  /** Prefix of every Redis key of the queue and of its cancel channel. Default: `'roadmap'`. */
  prefix?: string;
  /**
   * How often BullMQ moves jobs whose lock expired (a worker stopped heartbeating) back to wait. A lost lease is
   * delivered again at most `leaseMs + stalledIntervalMs` after the last heartbeat. Default: half the `leaseMs`
   * of this instance's first claim.
   */
  stalledIntervalMs?: number;
  /** Creates delivery tokens (also the storage lease tokens); must be unique per call. Default: `crypto.randomUUID`. */
  generateId?: () => string;
  /** Receives errors that have no caller: connection errors, a job that could not be put back. Default: `console.error`. */
  onError?: (error: unknown) => void;
}

/** A Roadmap Kit `Queue` on BullMQ, with the lifecycle of its Redis connections. */
export interface BullmqQueue extends Queue {
  /** Resolves once the command connection is ready and the cancel channel is subscribed. */
  waitUntilReady(): Promise<void>;
  /**
   * Stops delivering, resolves waiting claims with `null`, and closes every connection the queue opened (not a
   * client passed in). Idempotent. Jobs still held keep their lock until it expires, then go to another worker.
   */
  close(): Promise<void>;
}

interface Claimer {
  options: ClaimOptions;
  resolve: (job: QueueJob | null) => void;
  cleanup: () => void;
}

const jobName = 'roadmap-task';
/** Jobs leave Redis when released; the engine, not BullMQ, decides when a task has failed. */
const jobOptions = { removeOnComplete: true, removeOnFail: true } as const;
/** BullMQ fails a job stalled more often than this; the engine fails poison tasks itself (`maxAttempts`). */
const unlimitedStalls = 1_000_000;
/** Pause after a failed fetch (Redis unreachable) before trying again. */
const fetchRetryDelayMs = 250;
/** Error codes of BullMQ scripts that mean "this token does not hold the job (any more)". */
const notHeldCodes = new Set<number>([
  bullmq.ErrorCode.JobNotExist,
  bullmq.ErrorCode.JobLockNotExist,
  bullmq.ErrorCode.JobNotInState,
  bullmq.ErrorCode.JobLockMismatch,
]);

function isNotHeld(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && notHeldCodes.has(code);
}

const sleep = (delayMs: number) => new Promise<void>((resolve) => setTimeout(resolve, delayMs));

/**
 * A `Queue` on BullMQ and Redis: many worker processes share the tasks, a worker that dies loses its jobs to the
 * others once their lock expires, and cancel broadcasts reach every process through Redis pub/sub.
 *
 * @example
 * ```ts
 * const queue = createBullmqQueue({ connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
 * const engine = new RoadmapEngine({ storage, queue, model });
 * await engine.start();
 * // on shutdown
 * await engine.stop();
 * await queue.close();
 * ```
 */
export function createBullmqQueue(options: BullmqQueueOptions): BullmqQueue {
  const queueName = options.queueName ?? 'roadmap-tasks';
  const prefix = options.prefix ?? 'roadmap';
  const generateId = options.generateId ?? (() => globalThis.crypto.randomUUID());
  const report = options.onError ?? ((error: unknown) => console.error('[roadmap/bullmq]', error));
  const connectionName = `${prefix}:${queueName}`;
  const cancelChannel = `${prefix}:${queueName}:cancel`;

  const connection = openConnection(options.connection, connectionName);
  const { commands } = connection;
  const ownedErrors = (error: unknown) => {
    if (!closed) report(error);
  };
  if (connection.ownsCommands) commands.on('error', ownedErrors);
  const jobs = new bullmq.Queue(queueName, { connection: commands, prefix });
  jobs.on('error', ownedErrors);

  const subscriber: Redis = commands.duplicate({ connectionName: `${connectionName}:cancel`, lazyConnect: false });
  subscriber.on('error', ownedErrors);
  const cancelListeners = new Set<(taskId: string) => void>();
  subscriber.on('message', (channel: string, taskId: string) => {
    if (channel !== cancelChannel) return;
    for (const listener of [...cancelListeners]) {
      try {
        listener(taskId);
      } catch (error) {
        report(error);
      }
    }
  });
  // The cancel channel's subscription. A failed attempt (Redis unreachable at boot, a command that gave up) is
  // forgotten, so the next broadcast or reconnect subscribes again instead of failing forever; once subscribed,
  // ioredis renews the subscription itself after a reconnect.
  let subscribing: Promise<void> | undefined;
  const subscribed = (): Promise<void> => {
    subscribing ??= subscriber.subscribe(cancelChannel).then(
      () => undefined,
      (error: unknown) => {
        subscribing = undefined;
        throw error;
      },
    );
    return subscribing;
  };
  subscribed().catch(() => undefined); // surfaced by waitUntilReady / broadcastCancel
  subscriber.on('ready', () => {
    if (!closed) subscribed().catch(ownedErrors);
  });

  const claimers: Claimer[] = [];
  let worker: bullmq.Worker | undefined;
  let lockDurationMs = 0;
  let fetching: Promise<void> | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;

  /** A job object bound to the command connection: heartbeats and releases do not need the worker. */
  const handle = (taskId: string) => new bullmq.Job(jobs, jobName, { taskId }, jobOptions, taskId);

  /** The manual-fetch worker, created by the first claim (its lease sets the lock duration and stall checks). */
  const workerFor = (leaseMs: number): bullmq.Worker => {
    if (worker) return worker;
    lockDurationMs = leaseMs;
    const created = new bullmq.Worker(queueName, null, {
      connection: connection.optionsFor(`${connectionName}:worker`),
      prefix,
      autorun: false,
      lockDuration: leaseMs,
      stalledInterval: Math.max(1, Math.round(options.stalledIntervalMs ?? leaseMs / 2)),
      maxStalledCount: unlimitedStalls,
    });
    created.on('error', ownedErrors);
    worker = created;
    created.startStalledCheckTimer().catch(ownedErrors);
    return created;
  };

  const returnToWait = async (taskId: string, token: string) => {
    try {
      await handle(taskId).moveToWait(token);
    } catch (error) {
      if (!isNotHeld(error)) report(error);
    }
  };

  /** Hands a fetched job to the first waiting claimer, or puts it back when nobody waits any more. */
  const deliver = async (taskId: string, token: string) => {
    const claimer = claimers.shift();
    if (!claimer || closed) {
      if (claimer) claimers.unshift(claimer);
      await returnToWait(taskId, token);
      return;
    }
    claimer.cleanup();
    const { leaseMs, abortSignal } = claimer.options;
    if (leaseMs !== lockDurationMs) {
      await handle(taskId)
        .extendLock(token, leaseMs)
        .catch((error: unknown) => report(error));
    }
    if (abortSignal?.aborted) {
      await returnToWait(taskId, token);
      claimer.resolve(null);
      return;
    }
    claimer.resolve({ taskId, token });
  };

  /** One fetch at a time per instance: BullMQ's worker blocks on a single connection. */
  const fetchJobs = async () => {
    while (!closed && claimers.length > 0) {
      const first = claimers[0];
      if (!first) break;
      const current = workerFor(first.options.leaseMs);
      const token = generateId();
      let fetched: bullmq.Job | undefined;
      try {
        fetched = await current.getNextJob(token, { block: true });
      } catch (error) {
        if (closed) return;
        report(error);
        await sleep(fetchRetryDelayMs);
        continue;
      }
      if (!fetched) continue;
      const taskId = fetched.id ?? (fetched.data as { taskId: string }).taskId;
      await deliver(taskId, token);
    }
  };

  const pump = () => {
    if (fetching || closed || claimers.length === 0) return;
    fetching = fetchJobs()
      .catch(report)
      .finally(() => {
        fetching = undefined;
        pump();
      });
  };

  return {
    specificationVersion: 'v1',

    async enqueue(taskId, enqueueOptions = {}) {
      if (closed) return;
      const delayMs = enqueueOptions.delayMs ?? 0;
      // jobId = task id: BullMQ ignores an add while a job with that id exists (waiting, delayed or active).
      await jobs.add(jobName, { taskId }, { ...jobOptions, jobId: taskId, ...(delayMs > 0 ? { delay: delayMs } : {}) });
    },

    claim(claimOptions) {
      const signal = claimOptions.abortSignal;
      if (closed || signal?.aborted) return Promise.resolve(null);
      return new Promise<QueueJob | null>((resolve) => {
        const onAbort = () => {
          const index = claimers.indexOf(claimer);
          if (index >= 0) claimers.splice(index, 1);
          resolve(null);
        };
        const claimer: Claimer = {
          options: claimOptions,
          resolve,
          cleanup: () => signal?.removeEventListener('abort', onAbort),
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        claimers.push(claimer);
        pump();
      });
    },

    async heartbeat(job, leaseMs) {
      if (closed) return false;
      const extended = await handle(job.taskId).extendLock(job.token, leaseMs);
      return Number(extended) === 1;
    },

    async release(job, releaseOptions = {}) {
      if (closed) return;
      const target = handle(job.taskId);
      try {
        if (releaseOptions.requeue) await target.moveToWait(job.token);
        else await target.moveToCompleted(null, job.token, false);
      } catch (error) {
        // A holder whose lease expired (the job went to someone else, or is gone): nothing to release.
        if (!isNotHeld(error)) throw error;
      }
    },

    async broadcastCancel(taskId) {
      if (closed) return;
      // Our own listeners hear the broadcast through the subscriber too, so it must be subscribed first.
      await subscribed();
      await commands.publish(cancelChannel, taskId);
    },

    onCancel(listener) {
      const registered = (taskId: string) => listener(taskId);
      cancelListeners.add(registered);
      return () => {
        cancelListeners.delete(registered);
      };
    },

    async waitUntilReady() {
      await Promise.all([jobs.waitUntilReady(), subscribed()]);
    },

    close() {
      closing ??= (async () => {
        closed = true;
        for (const claimer of claimers.splice(0)) {
          claimer.cleanup();
          claimer.resolve(null);
        }
        // Forced: interrupts a blocked fetch at once instead of waiting out BullMQ's drain delay.
        await worker?.close(true).catch(report);
        await fetching;
        await jobs.close().catch(report);
        await closeConnection(subscriber);
        if (connection.ownsCommands) await closeConnection(commands);
      })();
      return closing;
    },
  };
}
