/**
 * Open WebSockets per user in this process (both endpoints together), for the per-user cap of SPEC §4. A slot is
 * taken when an upgrade is admitted (before anything slow is awaited, so a burst of upgrades cannot overshoot) and
 * given back once, whichever comes first: the upgrade is refused later on, or the connection closes.
 */
export class UserConnections {
  private readonly counts = new Map<string, number>();
  private readonly limit: number;

  /** @param limit open connections each user may hold; `Infinity` for no cap. */
  constructor(limit: number) {
    this.limit = limit;
  }

  /** Connections `userId` holds now. */
  count(userId: string): number {
    return this.counts.get(userId) ?? 0;
  }

  /**
   * Takes a slot for `userId`: the function that gives it back (safe to call more than once), or `null` when the
   * user already holds `limit` connections.
   */
  acquire(userId: string): (() => void) | null {
    const held = this.count(userId);
    if (held >= this.limit) return null;
    this.counts.set(userId, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const remaining = this.count(userId) - 1;
      if (remaining > 0) this.counts.set(userId, remaining);
      else this.counts.delete(userId);
    };
  }
}
