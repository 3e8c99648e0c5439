import type { NewRoadmapEvent, RoadmapEvent } from '../domain/events.js';
import type { LeaseFence } from './taskStore.js';

export interface EventQuery {
  /** Only this task's events. */
  taskId?: string;
  /** Only events of this user's tasks. */
  userId?: string;
  /** Only events with `seq` greater than this. Default: 0. */
  after?: number;
  /** Most events returned (counted after the filters). Default: 1000. */
  limit?: number;
}

/** Which events {@link EventStore.pruneEvents} may delete. */
export interface EventPruneOptions {
  /**
   * ISO-8601 time: only events that come before every event stamped at or after it go (the engine passes now minus
   * its `eventRetentionMs`).
   */
  before: string;
  /** Most events deleted by one call, so a large backlog is deleted in short steps. Default: 1000. */
  limit?: number;
  /**
   * The bound `before` gives, read once for a whole sweep (`eventLogStart({ before })`): only events with a lower
   * `seq` go, and the call does not look for the bound again — on a large backlog that look reads the whole
   * backlog, once per batch. Default: found from `before` on each call.
   */
  belowSeq?: number;
}

/**
 * The durable event log: what live streams replay from (`since` on the WebSocket) and what `listEvents` reads.
 *
 * Atomicity and order (checked by `runEventStoreConformance` from `@roadmap/core/testing`):
 * - `appendEvent` assigns one strictly increasing `seq` across the whole log (every task and user), and stores the
 *   event in the same atomic step; with a fence, the lease check is part of that step ({@link LeaseFence});
 * - events become visible in `seq` order: once a reader can see `seq` N, every event with a smaller `seq` is
 *   visible too — a reader never sees N + 1 before N, even with appends from many connections or processes. So a
 *   reader polling `listEvents({ after: lastSeenSeq })` never skips an event. (SQL adapters serialise appends,
 *   e.g. with the database's write lock or an advisory lock taken before the `seq` is drawn, because sequences
 *   alone commit out of order.) Gaps in `seq` are allowed; reordering is not.
 *
 * Retention: `pruneEvents({ before })` deletes old events of finished tasks (terminal: `completed`, `failed`,
 * `partial_failure`, `cancelled`; or no longer stored), lowest `seq` first, and only those whose `seq` is lower than
 * that of every event stamped at or after `before` — so what it deletes is bounded by a `seq`, whatever the clocks of
 * the processes that stamped the events. `eventLogStart({ before })` returns that bound: every event with a `seq` at
 * or above it, stored now or appended later, is still in the log after any prune with a `before` no later than this
 * one. A stream whose `since` is below the bound minus one may have missed pruned events and gets `resync` (SPEC §4).
 * Events of tasks that are not finished are never deleted.
 *
 * Left out on purpose: compacting events (rewriting several into one).
 */
export interface EventStore {
  /** Appends to the durable log, assigning the next `seq`. With a fence, `null` when the fence failed. */
  appendEvent(event: NewRoadmapEvent, fence?: LeaseFence): Promise<RoadmapEvent | null>;
  /**
   * Events in `seq` order. What is returned is the caller's to read but may be frozen (an event never changes once
   * stored, so a storage may hand out the stored object): writing to it throws or changes nothing stored.
   */
  listEvents(query: EventQuery): Promise<RoadmapEvent[]>;
  /**
   * Deletes at most `limit` events of finished tasks that come before every event stamped at or after `before`,
   * lowest `seq` first (see the retention rules above). Returns how many it deleted: call again while that is the
   * limit.
   */
  pruneEvents(options: EventPruneOptions): Promise<number>;
  /**
   * The `seq` from which the log is complete once pruned with a `before` no later than this one: the lowest `seq` of
   * an event stamped at or after `before`, or, when there is none, the `seq` the next append will get (at least).
   */
  eventLogStart(options: { before: string }): Promise<number>;
}
