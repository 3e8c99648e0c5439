import type { Queue } from '../queue/queue.js';
import { type Clock, isoTime } from '../shared/clock.js';
import type { TaskStore } from '../storage/taskStore.js';
import { repeatInBackground } from './backgroundSweep.js';

export interface RecoverySweepOptions {
  storage: Pick<TaskStore, 'listRecoverableTasks' | 'acquireSweepLease' | 'releaseSweepLease'>;
  queue: Pick<Queue, 'enqueue'>;
  clock: Clock;
  /** Time between two periodic sweeps; a pending task untouched this long is requeued (its job may be lost). */
  intervalMs: number;
  /** Names this engine on the sweep lease: unique per engine. */
  holder: string;
  /** Receives the error of a sweep that failed (the next one tries again). */
  onError: (error: unknown) => void;
  /**
   * Runs after each sweep, in the process holding the lease (and after the sweep at start), e.g. resuming the tasks
   * paused on budget that have room again.
   */
  afterSweep?: () => Promise<unknown>;
}

/** Tasks read per `listRecoverableTasks` call: short queries, and a page's enqueues finish before the next read. */
const pageSize = 100;
/** The name of the recovery sweep's lease in storage. */
const leaseName = 'recovery';

/**
 * Requeues tasks left behind: `processing` with a dead lease (a worker died or gave them up) and `pending` ones
 * whose job a broker that keeps nothing on disk may have lost. A sweep reads the unfinished tasks only, by a
 * keyset on `task_id` in pages of 100, so it costs what is unfinished, never what was ever stored.
 *
 * The periodic sweep runs in one process at a time: each tick first takes (or, for its holder, extends) the
 * `recovery` sweep lease in storage for two intervals, and a process that does not hold it skips the tick. The
 * holder releases it on `stop()`; if it dies, another process takes over once the lease lapsed. The sweep at
 * `start()` ({@link sweep} with every pending task) runs in each starting worker without the lease, so an
 * in-process queue that starts empty gets its backlog at once; enqueueing is idempotent, so a task already queued
 * is not delivered twice.
 */
export class RecoverySweep {
  private readonly options: RecoverySweepOptions;
  private stopRepeating: (() => void) | undefined;

  constructor(options: RecoverySweepOptions) {
    this.options = options;
  }

  /** Schedules a leased sweep every interval (the first one after an interval) until `stop()`. */
  start(): void {
    if (this.stopRepeating) return;
    const { clock, intervalMs, onError } = this.options;
    this.stopRepeating = repeatInBackground(clock, intervalMs, () => this.sweepIfHolder(), onError);
  }

  /**
   * Stops the periodic sweep at once; with `releaseLease` (a graceful stop) then gives its lease up, so another
   * process sweeps next without waiting for it to lapse.
   */
  async stop(options: { releaseLease: boolean }): Promise<void> {
    const wasRunning = this.stopRepeating !== undefined;
    this.stopRepeating?.();
    this.stopRepeating = undefined;
    if (!wasRunning || !options.releaseLease) return;
    await this.options.storage.releaseSweepLease(leaseName, this.options.holder).catch(this.options.onError);
  }

  /**
   * One sweep now, without the lease: enqueues every recoverable task — with `includeAllPending` every pending
   * task, else those untouched for an interval. Resolves with how many were enqueued.
   */
  async sweep(includeAllPending: boolean): Promise<number> {
    const { storage, queue, clock, intervalMs } = this.options;
    const now = clock.now();
    const pendingUpdatedBefore = includeAllPending ? null : isoTime(now - intervalMs);
    let enqueued = 0;
    let afterTaskId: string | undefined;
    for (;;) {
      const page = await storage.listRecoverableTasks({ now, pendingUpdatedBefore, afterTaskId, limit: pageSize });
      for (const task of page) await queue.enqueue(task.task_id);
      enqueued += page.length;
      if (page.length < pageSize) {
        await this.options.afterSweep?.();
        return enqueued;
      }
      afterTaskId = page[page.length - 1]?.task_id;
    }
  }

  /** The periodic sweep: takes the lease, then sweeps; `null` (nothing done) when another process holds it. */
  async sweepIfHolder(): Promise<number | null> {
    const { storage, clock, intervalMs, holder } = this.options;
    const now = clock.now();
    const held = await storage.acquireSweepLease({ name: leaseName, holder, now, expiresAt: now + 2 * intervalMs });
    if (!held) return null;
    return this.sweep(false);
  }
}
