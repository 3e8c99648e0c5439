import { RoadmapError } from '../shared/errors.js';

/** Where a page of `GET /roadmaps` stopped: the last row's keyset position. */
export interface RoadmapPosition {
  created_at: string;
  roadmap_id: string;
}

/** Longest cursor accepted: a position is two short strings, so anything longer is not one of ours. */
const maximumCursorLength = 512;

/** The opaque cursor of `GET /roadmaps`: base64url of the JSON pair `[created_at, roadmap_id]`. */
export function encodeRoadmapCursor(position: RoadmapPosition): string {
  const bytes = new TextEncoder().encode(JSON.stringify([position.created_at, position.roadmap_id]));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Reads a cursor made by {@link encodeRoadmapCursor}; anything else is an `invalid_input` error (a 400). */
export function decodeRoadmapCursor(cursor: string): RoadmapPosition {
  const invalid = () => new RoadmapError('invalid_input', 'cursor is not one returned as next_cursor.');
  if (cursor.length === 0 || cursor.length > maximumCursorLength || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let pair: unknown;
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (character) => character.charCodeAt(0));
    pair = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalid();
  }
  if (
    !Array.isArray(pair) ||
    pair.length !== 2 ||
    typeof pair[0] !== 'string' ||
    typeof pair[1] !== 'string' ||
    pair[0].length === 0 ||
    pair[1].length === 0
  ) {
    throw invalid();
  }
  return { created_at: pair[0], roadmap_id: pair[1] };
}
