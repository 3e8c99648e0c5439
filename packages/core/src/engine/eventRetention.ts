import { type Clock, isoTime } from '../shared/clock.js';
import type { EventStore } from '../storage/eventStore.js';
import { repeatInBackground } from './backgroundSweep.js';

export interface EventRetentionOptions {
  storage: Pick<EventStore, 'pruneEvents' | 'eventLogStart'>;
  clock: Clock;
  /** Events of finished tasks older than this are deleted (see `RoadmapEngineOptions.eventRetentionMs`). */
  retentionMs: number;
  /** Receives the error of a sweep that failed (the next one tries again). */
  onError: (error: unknown) => void;
}

/** Events deleted per `pruneEvents` call: short statements, so appends never wait long for the log. */
const pruneBatchSize = 1000;
/** Most time between two sweeps. */
const maxSweepIntervalMs = 3_600_000;
/**
 * How much later than "now minus the retention" the log is said to start. Covers the skew between the clock of a
 * process that reads it (the WebSocket's) and the clock of one that pruned it (a worker's), so a stream never
 * counts on an event another process may already have deleted.
 */
const clockSkewMarginMs = 300_000;
/**
 * How long one answer of `logStart()` is reused (at most half the margin): a reconnect storm after a deploy asks the
 * storage once a minute, not once per client. Safe because a prune within that time cuts below the margin.
 */
const logStartCacheMs = 60_000;

/**
 * The event log's retention (SPEC §4, `ROADMAP_EVENT_RETENTION`): a background sweep on the engine's clock deletes
 * the events of finished tasks older than `retentionMs` (`EventStore.pruneEvents`), and `logStart()` tells the
 * live streams from which `seq` on the log is complete, so a `since` older than that gets `resync`.
 */
export class EventRetention {
  private readonly options: EventRetentionOptions;
  private stopRepeating: (() => void) | undefined;
  private cachedLogStart: { at: number; seq: Promise<number> } | undefined;

  constructor(options: EventRetentionOptions) {
    this.options = options;
  }

  /** Time between two sweeps: a quarter of the retention, at least a second, at most an hour. */
  get intervalMs(): number {
    return Math.min(maxSweepIntervalMs, Math.max(1000, Math.floor(this.options.retentionMs / 4)));
  }

  /** Schedules a sweep every {@link intervalMs} (the first one after an interval) until `stop()`. */
  start(): void {
    if (this.stopRepeating) return;
    const { clock, onError } = this.options;
    this.stopRepeating = repeatInBackground(clock, this.intervalMs, () => this.sweep(), onError);
  }

  stop(): void {
    this.stopRepeating?.();
    this.stopRepeating = undefined;
  }

  /**
   * Deletes every event the retention lets go, in batches; resolves with how many. The bound (the first event
   * stamped after the retention) is read once for the sweep, not once per batch.
   */
  async sweep(): Promise<number> {
    const { storage, clock, retentionMs } = this.options;
    const before = isoTime(clock.now() - retentionMs);
    const belowSeq = await storage.eventLogStart({ before });
    let total = 0;
    for (;;) {
      const deleted = await storage.pruneEvents({ before, limit: pruneBatchSize, belowSeq });
      total += deleted;
      if (deleted < pruneBatchSize) return total;
    }
  }

  /** The `seq` from which the log is complete: a `since` below it minus one may have missed pruned events. */
  logStart(): Promise<number> {
    const { storage, clock, retentionMs } = this.options;
    const now = clock.now();
    const margin = Math.min(clockSkewMarginMs, retentionMs / 2);
    const cached = this.cachedLogStart;
    if (cached && now >= cached.at && now - cached.at < Math.min(logStartCacheMs, margin / 2)) return cached.seq;
    const seq = storage.eventLogStart({ before: isoTime(now - retentionMs + margin) });
    this.cachedLogStart = { at: now, seq };
    // A failed read is not kept.
    seq.catch(() => {
      if (this.cachedLogStart?.seq === seq) this.cachedLogStart = undefined;
    });
    return seq;
  }
}
