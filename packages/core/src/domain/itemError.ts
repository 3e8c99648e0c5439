import type { ItemStatus } from './schemas.js';

/**
 * The `error` an item keeps after a status change: a `failed` item keeps the reason it was given (`'failed'` when
 * none was), any other status clears it.
 */
export function itemErrorFor(status: ItemStatus, error?: string): string | null {
  return status === 'failed' ? (error ?? 'failed') : null;
}
