/**
 * Whose clock decides when a task's lease expires.
 *
 * - `database` (the default): the PostgreSQL server's. A lease lasts as long as the worker asked for
 *   (`expiresAt - now` of its call), counted from the server's time when the statement runs, and a lease is dead
 *   once the server's time reaches it. Workers whose clocks disagree cannot steal a live lease (a clock running ahead)
 *   nor keep a dead one alive (a clock running behind, or a dead worker whose clock ran ahead). `lease_expires_at`
 *   is then a time on the server's clock.
 * - `caller`: the times the engine passes (`now`, `expiresAt`) are compared as they are, as the in-memory and SQLite
 *   storages do: for tests that drive leases with a manual clock (the storage conformance suite does).
 */
export type LeaseClock = 'database' | 'caller';

/** How the task store reads lease times. */
export interface LeaseClockSettings {
  clock: LeaseClock;
  /**
   * The caller's clock, read to turn `renewLease(fence, expiresAt)` into a duration (`expiresAt - now()`) under the
   * `database` clock: the same clock the engine uses (both `Date.now` by default).
   */
  now: () => number;
}

/** Milliseconds since the epoch on the server's clock, fixed for the whole statement. */
export const databaseNowMs = 'floor(extract(epoch FROM statement_timestamp()) * 1000)::bigint';
