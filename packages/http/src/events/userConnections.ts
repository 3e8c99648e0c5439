import type { RoadmapEngine } from '@roadmap/core';

/**
 * Open live connections per user in this process — WebSockets and event streams, every endpoint together — for the
 * per-user cap of SPEC §4 and §8. A slot is taken when a connection is admitted (before anything slow is awaited, so
 * a burst cannot overshoot) and given back once, whichever comes first: the connection is refused later on, or it
 * closes.
 *
 * @internal Get the shared one with {@link userConnectionsOf}.
 */
export class UserConnections {
  private readonly counts = new Map<string, number>();

  /** Connections `userId` holds now. */
  count(userId: string): number {
    return this.counts.get(userId) ?? 0;
  }

  /**
   * Takes a slot for `userId`: the function that gives it back (safe to call more than once), or `null` when the
   * user already holds `limit` connections (`Infinity`: no cap).
   */
  acquire(userId: string, limit: number): (() => void) | null {
    const held = this.count(userId);
    if (held >= limit) return null;
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

const registry = new WeakMap<RoadmapEngine, UserConnections>();

/**
 * The connection counts of `engine`'s live transports in this process: a user's WebSockets and event streams count
 * together against the cap, whichever transport admits them.
 *
 * @internal
 */
export function userConnectionsOf(engine: RoadmapEngine): UserConnections {
  let connections = registry.get(engine);
  if (!connections) {
    connections = new UserConnections();
    registry.set(engine, connections);
  }
  return connections;
}
