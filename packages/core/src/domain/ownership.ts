/** Ownership check of a read or command: the engine and the cover service refuse another user's objects. */
export interface OwnerOptions {
  /** When set, the object must belong to this user, or the call throws `forbidden`. Default: no check. */
  userId?: string;
}
