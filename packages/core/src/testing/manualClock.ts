import type { Clock } from '../shared/clock.js';

/** A {@link Clock} whose time moves only when a test says so. */
export interface ManualClock extends Clock {
  /**
   * Moves time forward by `delayMs`, running every timer that falls due on the way in time order (timers due at
   * the same moment in the order they were scheduled), including timers scheduled by those callbacks. Between
   * timers it yields to the event loop so that code awaiting promises progresses before the next timer runs.
   * Rejects with the first error a callback threw, after the whole advance.
   */
  advance(delayMs: number): Promise<void>;
  /** Moves time forward to `timeMs` (never backwards), running due timers like {@link ManualClock.advance}. */
  advanceTo(timeMs: number): Promise<void>;
  /**
   * Sets the time without running any timer (like `vi.setSystemTime`); may go backwards. Timers already due run
   * at the next `advance`, `flush` or `runAll`.
   */
  set(timeMs: number): void;
  /** Runs the timers due now (also those of zero delay) and lets awaiting code progress: `advance(0)`. */
  flush(): Promise<void>;
  /**
   * Runs timers until none is left, moving time to each one's due moment. Throws when more than `limit` timers
   * (default 10 000) run, which means something keeps rescheduling itself (a heartbeat, an interval).
   */
  runAll(limit?: number): Promise<void>;
  /** How many timers are scheduled and not yet run or cancelled. */
  pendingTimers(): number;
  /** When the next timer falls due, `null` when none is scheduled. */
  nextTimerAt(): number | null;
}

export interface ManualClockOptions {
  /** The clock's first reading, in ms since the epoch. Default: `Date.UTC(2026, 0, 1)`. */
  startMs?: number;
  /**
   * Lets awaiting code progress between two timers. Default: one turn of the event loop (`setImmediate`), which
   * drains every pending promise callback. Pass a longer wait for adapters that do real I/O.
   */
  settle?: () => Promise<void>;
}

interface Timer {
  id: number;
  dueAt: number;
  callback: () => void;
}

// Captured at load so that tests that install fake timers afterwards do not stall the manual clock.
const realSetImmediate: (callback: () => void) => unknown =
  typeof globalThis.setImmediate === 'function'
    ? globalThis.setImmediate.bind(globalThis)
    : (callback) => globalThis.setTimeout(callback, 0);

/** One turn of the event loop: every promise callback queued before it has run when it resolves. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    realSetImmediate(resolve);
  });
}

/**
 * Creates a deterministic clock for tests: time stands still until `advance`, and timers run in a defined order.
 *
 * @example
 * const clock = createManualClock();
 * const queue = createMemoryQueue({ clock });
 * const job = await queue.claim({ leaseMs: 1_000, workerId: 'a' });
 * await clock.advance(1_000); // the lease expires: the job is delivered again
 */
export function createManualClock(options: ManualClockOptions | number = {}): ManualClock {
  const { startMs = Date.UTC(2026, 0, 1), settle = nextTurn } =
    typeof options === 'number' ? { startMs: options } : options;
  let now = startMs;
  let nextId = 1;
  const timers = new Map<number, Timer>();
  /** Advances run one after another, so two concurrent calls never interleave their timers. */
  let running: Promise<void> = Promise.resolve();

  const nextDue = (until: number): Timer | undefined => {
    let next: Timer | undefined;
    for (const timer of timers.values()) {
      if (timer.dueAt > until) continue;
      if (!next || timer.dueAt < next.dueAt || (timer.dueAt === next.dueAt && timer.id < next.id)) next = timer;
    }
    return next;
  };

  const runUntil = async (target: () => number, limit: number): Promise<void> => {
    const errors: unknown[] = [];
    let ran = 0;
    await settle();
    for (let timer = nextDue(target()); timer; timer = nextDue(target())) {
      if (ran >= limit) {
        throw new Error(`Manual clock: more than ${limit} timers ran; is something rescheduling forever?`);
      }
      ran += 1;
      timers.delete(timer.id);
      now = Math.max(now, timer.dueAt);
      try {
        timer.callback();
      } catch (error) {
        errors.push(error);
      }
      await settle();
    }
    now = Math.max(now, target());
    if (errors.length > 0) throw errors[0];
  };

  const serialize = (work: () => Promise<void>): Promise<void> => {
    const result = running.then(work);
    running = result.catch(() => undefined);
    return result;
  };

  return {
    specificationVersion: 'v1',
    now: () => now,
    setTimeout(callback, delayMs) {
      const delay = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
      const timer: Timer = { id: nextId, dueAt: now + delay, callback };
      nextId += 1;
      timers.set(timer.id, timer);
      return () => {
        timers.delete(timer.id);
      };
    },
    advance(delayMs) {
      if (!(delayMs >= 0)) return Promise.reject(new RangeError(`Cannot advance by ${delayMs} ms`));
      return serialize(() => {
        const target = now + delayMs;
        return runUntil(() => target, Number.POSITIVE_INFINITY);
      });
    },
    advanceTo(timeMs) {
      return serialize(() => runUntil(() => Math.max(now, timeMs), Number.POSITIVE_INFINITY));
    },
    set(timeMs) {
      now = timeMs;
    },
    flush() {
      return serialize(() => {
        const target = now;
        return runUntil(() => target, Number.POSITIVE_INFINITY);
      });
    },
    runAll(limit = 10_000) {
      return serialize(() => runUntil(() => (timers.size > 0 ? Number.POSITIVE_INFINITY : now), limit));
    },
    pendingTimers: () => timers.size,
    nextTimerAt() {
      let next: number | null = null;
      for (const timer of timers.values()) if (next === null || timer.dueAt < next) next = timer.dueAt;
      return next;
    },
  };
}
