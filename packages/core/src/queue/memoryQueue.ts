import { type Clock, systemClock } from '../shared/clock.js';
import type { ClaimOptions, Queue, QueueJob } from './queue.js';

export interface MemoryQueueOptions {
  /** Time source for leases and delays. Default: the system clock. */
  clock?: Clock;
  /** Creates delivery tokens. Default: `crypto.randomUUID`. */
  generateId?: () => string;
  /** Most jobs held at once across all claimers; further claims wait. Default: unlimited. */
  concurrency?: number;
}

interface JobState {
  taskId: string;
  state: 'waiting' | 'delayed' | 'active';
  token: string | null;
  cancelTimer: (() => void) | null;
}

interface Claimer {
  options: ClaimOptions;
  resolve: (job: QueueJob | null) => void;
  cleanup: () => void;
}

/**
 * `Queue` within one process. Engines that share one instance behave like workers sharing a broker: each job
 * goes to one claimer at a time, an unrenewed lease expires and the job is delivered again with a new token,
 * and cancel broadcasts reach every listener.
 */
export function createMemoryQueue(options: MemoryQueueOptions = {}): Queue {
  const clock = options.clock ?? systemClock;
  const generateId = options.generateId ?? (() => globalThis.crypto.randomUUID());
  const concurrency = options.concurrency ?? Number.POSITIVE_INFINITY;
  const jobs = new Map<string, JobState>();
  const waiting: string[] = [];
  const claimers: Claimer[] = [];
  const cancelListeners = new Set<(taskId: string) => void>();
  let active = 0;
  let closed = false;

  const clearTimer = (job: JobState) => {
    job.cancelTimer?.();
    job.cancelTimer = null;
  };

  const deactivate = (job: JobState) => {
    if (job.state === 'active') active -= 1;
    job.token = null;
    clearTimer(job);
  };

  const makeWaiting = (job: JobState, front: boolean) => {
    deactivate(job);
    job.state = 'waiting';
    if (front) waiting.unshift(job.taskId);
    else waiting.push(job.taskId);
  };

  const armLease = (job: JobState, leaseMs: number) => {
    clearTimer(job);
    const token = job.token;
    job.cancelTimer = clock.setTimeout(() => {
      if (job.state !== 'active' || job.token !== token) return;
      job.cancelTimer = null;
      makeWaiting(job, true);
      dispatch();
    }, leaseMs);
  };

  const dispatch = () => {
    while (!closed && claimers.length > 0 && waiting.length > 0 && active < concurrency) {
      const taskId = waiting.shift() as string;
      const job = jobs.get(taskId);
      if (job?.state !== 'waiting') continue;
      const claimer = claimers.shift() as Claimer;
      claimer.cleanup();
      job.state = 'active';
      job.token = generateId();
      active += 1;
      armLease(job, claimer.options.leaseMs);
      claimer.resolve({ taskId, token: job.token });
    }
  };

  const holding = (job: QueueJob): JobState | undefined => {
    const state = jobs.get(job.taskId);
    return state && state.state === 'active' && state.token === job.token ? state : undefined;
  };

  return {
    specificationVersion: 'v1',

    async enqueue(taskId, enqueueOptions = {}) {
      if (closed) return;
      const existing = jobs.get(taskId);
      if (existing) return; // waiting, delayed, or held under a live lease (expired leases requeue themselves)
      const job: JobState = { taskId, state: 'waiting', token: null, cancelTimer: null };
      jobs.set(taskId, job);
      const delayMs = enqueueOptions.delayMs ?? 0;
      if (delayMs > 0) {
        job.state = 'delayed';
        job.cancelTimer = clock.setTimeout(() => {
          job.cancelTimer = null;
          if (job.state !== 'delayed') return;
          makeWaiting(job, false);
          dispatch();
        }, delayMs);
        return;
      }
      waiting.push(taskId);
      dispatch();
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
        dispatch();
      });
    },

    async heartbeat(job, leaseMs) {
      const state = holding(job);
      if (!state) return false;
      armLease(state, leaseMs);
      return true;
    },

    async release(job, releaseOptions = {}) {
      const state = holding(job);
      if (!state) return;
      if (releaseOptions.requeue) {
        makeWaiting(state, true);
      } else {
        deactivate(state);
        jobs.delete(job.taskId);
      }
      dispatch();
    },

    async broadcastCancel(taskId) {
      for (const listener of [...cancelListeners]) listener(taskId);
    },

    onCancel(listener) {
      cancelListeners.add(listener);
      return () => cancelListeners.delete(listener);
    },

    async close() {
      closed = true;
      for (const job of jobs.values()) clearTimer(job);
      for (const claimer of claimers.splice(0)) {
        claimer.cleanup();
        claimer.resolve(null);
      }
    },
  };
}
