import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Queue, QueueJob } from '../queue/queue.js';
import { createManualClock, type ManualClock } from './manualClock.js';

export interface QueueFixture {
  /** The queue under test. The suite closes it after each test, also when the test already closed it. */
  queue: Queue;
  /**
   * Opens another queue on the same backend, as a second process would. When given, the suite also checks that
   * jobs and cancel broadcasts cross instances; the suite closes every peer after the test.
   */
  createPeer?: () => Queue | Promise<Queue>;
  /** Runs after each test, after the queues are closed: flush the backend, close connections. */
  cleanup?: () => Promise<void> | void;
}

export interface QueueConformanceContext {
  /**
   * The test's manual clock. Pass it to the adapter so the suite controls leases and delays; adapters that keep
   * time themselves (a broker's lock expiry) ignore it and run the suite with `realTime: true`.
   */
  clock: ManualClock;
}

/** Called before every test; must return a queue with no jobs (or one that the last `cleanup` emptied). */
export type QueueFactory = (context: QueueConformanceContext) => QueueFixture | Promise<QueueFixture>;

export interface QueueConformanceOptions {
  /**
   * The adapter ignores the manual clock: the suite then lets real time pass instead of advancing the clock,
   * and waits up to `timeoutMs` for what must happen. Default: false.
   */
  realTime?: boolean;
  /** Lease of every claim in the suite. Default: 30 000 with the manual clock, 1 000 in real time. */
  leaseMs?: number;
  /**
   * How much later than the exact moment a lease expiry or a delayed job may be delivered (an adapter that
   * polls). Default: 0 with the manual clock, `leaseMs` in real time.
   */
  toleranceMs?: number;
  /** Real time only: longest wait for something that must happen (a delivery, a broadcast). Default: 5 000. */
  timeoutMs?: number;
  /** Real time only: how long to watch for something that must not happen. Default: 200. */
  quietMs?: number;
}

const pending = Symbol('pending');
type Outcome<Value> = Awaited<Value> | typeof pending;

// Captured at load, so fake timers installed later do not stall real-time runs.
const realSetTimeout = globalThis.setTimeout;
const realSleep = (delayMs: number) =>
  new Promise<void>((resolve) => {
    realSetTimeout(resolve, delayMs);
  });

/**
 * Registers vitest tests that check the documented contract of {@link Queue}. Call it at the top level of an
 * adapter's test file.
 *
 * @example
 * runQueueConformance('memory', ({ clock }) => ({ queue: createMemoryQueue({ clock }) }));
 *
 * @example
 * // A broker that keeps time itself, with peers on one connection factory.
 * runQueueConformance(
 *   'bullmq',
 *   () => {
 *     const prefix = `test-${crypto.randomUUID()}`;
 *     return {
 *       queue: createBullmqQueue({ connection, prefix }),
 *       createPeer: () => createBullmqQueue({ connection, prefix }),
 *     };
 *   },
 *   { realTime: true, leaseMs: 1_000 },
 * );
 */
export function runQueueConformance(
  name: string,
  createQueue: QueueFactory,
  options: QueueConformanceOptions = {},
): void {
  const realTime = options.realTime ?? false;
  const leaseMs = options.leaseMs ?? (realTime ? 1_000 : 30_000);
  const toleranceMs = options.toleranceMs ?? (realTime ? leaseMs : 0);
  const timeoutMs = options.timeoutMs ?? 5_000;
  const quietMs = options.quietMs ?? 200;

  describe(`${name}: Queue conformance`, () => {
    let clock: ManualClock;
    let queue: Queue;
    let fixture: QueueFixture;
    let peers: Queue[];

    beforeEach(async () => {
      clock = createManualClock();
      fixture = await createQueue({ clock });
      queue = fixture.queue;
      peers = [];
    });

    afterEach(async () => {
      for (const opened of [queue, ...peers]) await opened.close();
      await fixture.cleanup?.();
    });

    /** Lets `delayMs` pass: on the manual clock, or in real time. */
    const elapse = (delayMs: number) => (realTime ? realSleep(delayMs) : clock.advance(delayMs));

    /** The promise's value if it settles without time passing (real time: within `quietMs`), else `pending`. */
    const outcome = <Value>(promise: Promise<Value>): Promise<Outcome<Value>> => {
      const quiet = realTime ? realSleep(quietMs) : clock.flush();
      return Promise.race([promise, quiet.then((): typeof pending => pending)]);
    };

    /** The promise's value; fails when it does not settle without time passing (real time: within `timeoutMs`). */
    const settled = async <Value>(promise: Promise<Value>, what: string): Promise<Awaited<Value>> => {
      const quiet = realTime ? realSleep(timeoutMs) : clock.flush();
      const result = await Promise.race([promise, quiet.then((): typeof pending => pending)]);
      if (result === pending) throw new Error(`Expected ${what} to settle, but it is still pending`);
      return result;
    };

    /** The promise's value once `toleranceMs` passed (real time: within `timeoutMs`). */
    const settledLate = async <Value>(promise: Promise<Value>, what: string): Promise<Awaited<Value>> => {
      if (!realTime && toleranceMs > 0) await clock.advance(toleranceMs);
      return settled(promise, what);
    };

    const claim = (from: Queue = queue, abortSignal?: AbortSignal) =>
      from.claim({ leaseMs, workerId: 'conformance-worker', abortSignal });

    const claimNow = async (from: Queue = queue): Promise<QueueJob> => {
      const job = await settled(claim(from), 'claim');
      if (job === null) throw new Error('Expected a job, got null');
      return job;
    };

    const openPeer = async (skip: (note: string) => void): Promise<Queue> => {
      if (!fixture.createPeer) {
        skip('the factory returns no createPeer');
        throw new Error('unreachable');
      }
      const peer = await fixture.createPeer();
      peers.push(peer);
      return peer;
    };

    it("declares specificationVersion 'v1'", () => {
      expect(queue.specificationVersion).toBe('v1');
    });

    describe('enqueue and claim', () => {
      it('delivers an enqueued task with a token unique to the delivery', async () => {
        await queue.enqueue('task-a');
        await queue.enqueue('task-b');
        const first = await claimNow();
        const second = await claimNow();
        expect(first.taskId).toBe('task-a');
        expect(second.taskId).toBe('task-b');
        for (const job of [first, second]) expect(job.token).toEqual(expect.any(String));
        expect(first.token).not.toBe('');
        expect(first.token).not.toBe(second.token);
      });

      it('keeps a claim waiting until a later enqueue, then resolves it without time passing', async () => {
        const waiting = claim();
        expect(await outcome(waiting)).toBe(pending);
        await queue.enqueue('task-a');
        expect(await settled(waiting, 'the waiting claim')).toMatchObject({ taskId: 'task-a' });
      });

      it('delivers in FIFO order', async () => {
        for (const taskId of ['task-c', 'task-a', 'task-b']) await queue.enqueue(taskId);
        const delivered = [await claimNow(), await claimNow(), await claimNow()].map((job) => job.taskId);
        expect(delivered).toEqual(['task-c', 'task-a', 'task-b']);
      });

      it('delivers a task enqueued twice only once', async () => {
        await queue.enqueue('task-a');
        await queue.enqueue('task-a');
        const job = await claimNow();
        expect(job.taskId).toBe('task-a');
        expect(await outcome(claim())).toBe(pending);
      });

      it('ignores an enqueue of a task held under a live lease, and accepts it again after release', async () => {
        await queue.enqueue('task-a');
        const held = await claimNow();
        await queue.enqueue('task-a');
        const second = claim();
        expect(await outcome(second)).toBe(pending);

        await queue.release(held);
        await queue.enqueue('task-a');
        const again = await settled(second, 'the second claim');
        expect(again?.taskId).toBe('task-a');
        expect(again?.token).not.toBe(held.token);
      });

      it('gives each job to one claimer only', async () => {
        const claims = Array.from({ length: 5 }, () => claim());
        for (const taskId of ['task-a', 'task-b', 'task-c']) await queue.enqueue(taskId);
        const outcomes = await Promise.all(claims.map((waiting) => outcome(waiting)));
        const delivered = outcomes.filter((result): result is QueueJob => result !== pending && result !== null);
        expect(delivered.map((job) => job.taskId).sort()).toEqual(['task-a', 'task-b', 'task-c']);
        expect(outcomes.filter((result) => result === pending)).toHaveLength(2);
      });

      it('does not deliver a held job to a second claimer, who gets the next job instead', async () => {
        await queue.enqueue('task-a');
        const held = await claimNow();
        const second = claim();
        expect(await outcome(second)).toBe(pending);
        await queue.enqueue('task-b');
        expect(await settled(second, 'the second claim')).toMatchObject({ taskId: 'task-b' });
        expect(await queue.heartbeat(held, leaseMs)).toBe(true);
      });
    });

    describe('stopping a claim', () => {
      it('resolves null when its abortSignal aborts, and the job goes to the next claimer', async () => {
        const controller = new AbortController();
        const aborted = claim(queue, controller.signal);
        expect(await outcome(aborted)).toBe(pending);
        controller.abort();
        expect(await settled(aborted, 'the aborted claim')).toBeNull();

        await queue.enqueue('task-a');
        expect(await claimNow()).toMatchObject({ taskId: 'task-a' });
      });

      it('resolves null at once for a signal that already aborted', async () => {
        await queue.enqueue('task-a');
        expect(await settled(claim(queue, AbortSignal.abort()), 'the claim')).toBeNull();
        expect(await claimNow()).toMatchObject({ taskId: 'task-a' });
      });

      it('resolves pending and later claims with null once the queue closes', async () => {
        const waiting = claim();
        expect(await outcome(waiting)).toBe(pending);
        await queue.close();
        expect(await settled(waiting, 'the waiting claim')).toBeNull();
        expect(await settled(claim(), 'a claim after close')).toBeNull();
      });
    });

    describe('leases', () => {
      it('delivers a job again with a new token when its lease expires without a heartbeat', async () => {
        await queue.enqueue('task-a');
        const first = await claimNow();
        const second = claim();
        await elapse(realTime ? leaseMs / 2 : leaseMs - 1);
        expect(await outcome(second)).toBe(pending);

        await elapse(realTime ? leaseMs / 2 : 1);
        const redelivered = await settledLate(second, 'the redelivery');
        expect(redelivered?.taskId).toBe('task-a');
        expect(redelivered?.token).not.toBe(first.token);
        expect(await queue.heartbeat(first, leaseMs)).toBe(false);
      });

      it('keeps the job held while heartbeats extend the lease, by the heartbeat’s leaseMs', async () => {
        await queue.enqueue('task-a');
        const held = await claimNow();
        const second = claim();

        await elapse(leaseMs / 2);
        expect(await queue.heartbeat(held, 2 * leaseMs)).toBe(true);
        await elapse(leaseMs);
        expect(await outcome(second)).toBe(pending);
        await elapse(realTime ? leaseMs / 4 : leaseMs - 1);
        expect(await outcome(second)).toBe(pending);
        expect(await queue.heartbeat(held, leaseMs)).toBe(true);
        await elapse(realTime ? leaseMs / 2 : leaseMs - 1);
        expect(await outcome(second)).toBe(pending);

        await elapse(realTime ? leaseMs / 2 : 1);
        const redelivered = await settledLate(second, 'the redelivery');
        expect(redelivered?.taskId).toBe('task-a');
        expect(await queue.heartbeat(held, leaseMs)).toBe(false);
      });

      it('refuses a heartbeat with a stale token, for another task, or after release', async () => {
        await queue.enqueue('task-a');
        await queue.enqueue('task-b');
        const job = await claimNow();
        const other = await claimNow();
        expect(await queue.heartbeat({ taskId: job.taskId, token: `${job.token}-stale` }, leaseMs)).toBe(false);
        expect(await queue.heartbeat({ taskId: other.taskId, token: job.token }, leaseMs)).toBe(false);
        expect(await queue.heartbeat({ taskId: 'task-unknown', token: job.token }, leaseMs)).toBe(false);
        expect(await queue.heartbeat(job, leaseMs)).toBe(true);
        await queue.release(job);
        expect(await queue.heartbeat(job, leaseMs)).toBe(false);
        expect(await queue.heartbeat(other, leaseMs)).toBe(true);
      });

      it('ignores release from a holder whose lease expired', async () => {
        await queue.enqueue('task-a');
        const first = await claimNow();
        const second = claim();
        await elapse(leaseMs);
        const current = await settledLate(second, 'the redelivery');
        if (current === null) throw new Error('Expected the job to be delivered again');

        await queue.release(first);
        expect(await queue.heartbeat(current, leaseMs)).toBe(true);
        await queue.release(first, { requeue: true });
        expect(await outcome(claim())).toBe(pending);
        expect(await queue.heartbeat(current, leaseMs)).toBe(true);
      });
    });

    describe('release', () => {
      it('removes the job: it is not delivered again, even after the lease would have expired', async () => {
        await queue.enqueue('task-a');
        const job = await claimNow();
        const second = claim();
        await queue.release(job);
        expect(await outcome(second)).toBe(pending);
        await elapse(2 * leaseMs + toleranceMs);
        expect(await outcome(second)).toBe(pending);
      });

      it('with requeue, makes the job claimable again at once with a new token', async () => {
        await queue.enqueue('task-a');
        const job = await claimNow();
        const second = claim();
        await queue.release(job, { requeue: true });
        const again = await settled(second, 'the second claim');
        expect(again?.taskId).toBe('task-a');
        expect(again?.token).not.toBe(job.token);
        expect(await queue.heartbeat(job, leaseMs)).toBe(false);
      });
    });

    describe('delayed enqueue', () => {
      it('delivers a delayed task only once the delay has passed, and only once', async () => {
        const delayMs = realTime ? leaseMs / 2 : 5_000;
        await queue.enqueue('task-later', { delayMs });
        await queue.enqueue('task-later', { delayMs });
        const waiting = claim();
        await elapse(realTime ? 0 : delayMs - 1);
        expect(await outcome(waiting)).toBe(pending);

        await elapse(realTime ? delayMs : 1);
        expect(await settledLate(waiting, 'the claim')).toMatchObject({ taskId: 'task-later' });
        expect(await outcome(claim())).toBe(pending);
      });

      it('does not hold back tasks enqueued without delay', async () => {
        await queue.enqueue('task-later', { delayMs: 10 * leaseMs });
        await queue.enqueue('task-now');
        expect(await claimNow()).toMatchObject({ taskId: 'task-now' });
      });
    });

    describe('cancel broadcasts', () => {
      /** Waits until `received` holds `expected` (manual clock: without time passing). */
      const receives = async (received: string[], expected: string[]) => {
        if (realTime) {
          const deadline = Date.now() + timeoutMs;
          while (received.length < expected.length && Date.now() < deadline) await realSleep(10);
          await realSleep(quietMs);
        } else {
          await clock.flush();
        }
        expect(received).toEqual(expected);
      };

      it('reaches every listener, until it unsubscribes', async () => {
        const first: string[] = [];
        const second: string[] = [];
        const unsubscribeFirst = queue.onCancel((taskId) => first.push(taskId));
        queue.onCancel((taskId) => second.push(taskId));

        await queue.broadcastCancel('task-a');
        await receives(first, ['task-a']);
        await receives(second, ['task-a']);

        unsubscribeFirst();
        await queue.broadcastCancel('task-b');
        await receives(second, ['task-a', 'task-b']);
        await receives(first, ['task-a']);
      });

      it('crosses to a peer queue on the same backend, both ways', async ({ skip }) => {
        const peer = await openPeer(skip);
        const here: string[] = [];
        const there: string[] = [];
        queue.onCancel((taskId) => here.push(taskId));
        const unsubscribe = peer.onCancel((taskId) => there.push(taskId));

        await queue.broadcastCancel('task-a');
        await receives(there, ['task-a']);
        await receives(here, ['task-a']);
        await peer.broadcastCancel('task-b');
        await receives(here, ['task-a', 'task-b']);
        await receives(there, ['task-a', 'task-b']);

        unsubscribe();
        await queue.broadcastCancel('task-c');
        await receives(here, ['task-a', 'task-b', 'task-c']);
        await receives(there, ['task-a', 'task-b']);
      });
    });

    describe('peers', () => {
      it('share jobs: enqueued on one, claimed once from the other, requeued to the first', async ({ skip }) => {
        const peer = await openPeer(skip);
        const local = claim();
        await peer.enqueue('task-a');
        const job = await settled(local, 'the claim');
        if (job === null) throw new Error('Expected a job, got null');
        expect(job.taskId).toBe('task-a');
        const remote = claim(peer);
        expect(await outcome(remote)).toBe(pending);

        await queue.release(job, { requeue: true });
        const again = await settled(remote, "the peer's claim");
        expect(again?.taskId).toBe('task-a');
        expect(again?.token).not.toBe(job.token);
      });
    });
  });
}
