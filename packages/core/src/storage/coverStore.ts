import type { CoverChange, CoverRecord } from '../domain/coverRecord.js';

/**
 * A roadmap's cover image and its retry bookkeeping (at most one cover per roadmap).
 *
 * Atomicity (checked by `runCoverStoreConformance` from `@roadmap/core/testing`):
 * - `ensureCover` is insert-if-absent: of concurrent calls for one roadmap exactly one inserts, and every call
 *   returns the stored cover;
 * - `transitionCover` is one compare-and-set on the cover's status, writing the patch in the same step;
 * - `listDueCovers` only reads: a sweeper acts on what it lists through `transitionCover`, whose compare-and-set
 *   lets one of several sweepers win.
 *
 * Left out on purpose: deleting covers here (they go with their task, `DataLifecycleStore`); covers are not fenced by a task's lease (the cover service owns them).
 */
export interface CoverStore {
  /**
   * Inserts the cover (status `not_started`, `retry_count` 0, everything else null) unless the roadmap has one;
   * returns the stored cover either way.
   */
  ensureCover(cover: Pick<CoverRecord, 'roadmap_id' | 'user_id' | 'task_id' | 'created_at'>): Promise<CoverRecord>;
  getCover(roadmapId: string): Promise<CoverRecord | null>;
  /** The covers that exist among `roadmapIds` (any order; missing ids are left out). */
  getCovers(roadmapIds: readonly string[]): Promise<CoverRecord[]>;
  /** Compare-and-set on the cover's status; `null` when it is missing or the condition failed. */
  transitionCover(roadmapId: string, change: CoverChange): Promise<CoverRecord | null>;
  /**
   * Covers a sweeper should act on at `now`: `failed` ones whose `next_attempt_at <= now`, and `pending` or
   * `generating` ones not updated since `staleBefore` (ISO time; their generator died). Oldest first, at most `limit`.
   */
  listDueCovers(query: { now: number; staleBefore: string; limit: number }): Promise<CoverRecord[]>;
}
