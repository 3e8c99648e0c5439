import type { AuthenticatedUser } from './authenticate.js';

/**
 * Tokens verified lately, by their exact text, with the user each one names: a client sends the same token with
 * every request, and checking its signature again each time was a tenth of a task listing's CPU (P6). Only tokens
 * that passed verification are kept; an entry is used for at most `maxAgeMs` and never at or past the token's own
 * `exp`, after which the token is verified again. The oldest entry makes room when `maxEntries` are held.
 *
 * @internal
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { user: AuthenticatedUser; validUntil: number }>();

  constructor(
    private readonly now: () => number,
    private readonly maxEntries: number,
    private readonly maxAgeMs = 60_000,
  ) {}

  /** The user `token` was verified for, while that still holds; `undefined` otherwise. */
  get(token: string): AuthenticatedUser | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (this.now() >= entry.validUntil) {
      this.entries.delete(token);
      return undefined;
    }
    return { ...entry.user };
  }

  /** Remembers that `token` verified as `user`. */
  set(token: string, user: AuthenticatedUser): void {
    if (this.maxEntries <= 0) return;
    const now = this.now();
    const validUntil = Math.min(user.expiresAt ?? Number.POSITIVE_INFINITY, now + this.maxAgeMs);
    if (validUntil <= now) return;
    this.entries.delete(token);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { user: { ...user }, validUntil });
  }

  /** Tokens held now (expired ones included until they are asked for or pushed out). */
  get size(): number {
    return this.entries.size;
  }
}
