import { RoadmapError } from '../shared/errors.js';

/** Ownership check of a read or command: the engine and the cover service refuse another user's objects. */
export interface OwnerOptions {
  /** When set, the object must belong to this user, or the call throws `forbidden`. Default: no check. */
  userId?: string;
}

/** Throws `forbidden` when `options.userId` is set and is not `ownerId` (the owner of the `what` asked for). */
export function assertOwner(ownerId: string, options: OwnerOptions | undefined, what: string): void {
  if (options?.userId !== undefined && options.userId !== ownerId) {
    throw new RoadmapError('forbidden', `This ${what} belongs to another user.`);
  }
}
