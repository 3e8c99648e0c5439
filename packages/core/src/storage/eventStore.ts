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
 * Left out on purpose: deleting or compacting events.
 */
export interface EventStore {
  /** Appends to the durable log, assigning the next `seq`. With a fence, `null` when the fence failed. */
  appendEvent(event: NewRoadmapEvent, fence?: LeaseFence): Promise<RoadmapEvent | null>;
  /** Events in `seq` order. */
  listEvents(query: EventQuery): Promise<RoadmapEvent[]>;
}
