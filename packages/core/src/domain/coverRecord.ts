import type { Cover, CoverStatus } from './schemas.js';

/** Credit a provider requires to be shown with the image (Unsplash does). */
export interface ImageAttribution {
  author: string;
  authorUrl: string;
  source: string;
  sourceUrl: string;
}

/** Where a cover image came from. */
export type CoverProvider = 'offline' | 'openai' | 'unsplash' | 'webhook' | 'upload' | (string & {});

/** A roadmap's cover as storage keeps it: the public `Cover` plus ownership, provenance and retry bookkeeping. */
export interface CoverRecord extends Cover {
  user_id: string;
  /** The task that generated the roadmap (cover events are sent on its stream). */
  task_id: string;
  /** Provider of the current image, `null` before the first success. */
  provider: CoverProvider | null;
  /** Credit the provider requires to be shown with the image (Unsplash), else `null`. */
  attribution: ImageAttribution | null;
  /** Blob store key of the current image when the kit stores the bytes, else `null`. */
  blob_key: string | null;
  /** When a failed cover is retried automatically (ms since epoch), `null` when no retry is due. */
  next_attempt_at: number | null;
  created_at: string;
  updated_at: string;
}

/** Fields of a cover that may change besides `status`. */
export type CoverPatch = Partial<
  Pick<
    CoverRecord,
    | 'cover_image_url'
    | 'error'
    | 'retry_count'
    | 'provider'
    | 'attribution'
    | 'blob_key'
    | 'next_attempt_at'
    | 'updated_at'
  >
>;

export interface CoverChange {
  /** The change happens only when the current status is one of these (compare-and-set). */
  from: readonly CoverStatus[];
  to: CoverStatus;
  patch?: CoverPatch;
}

/** The public view of a cover (SPEC §2). */
export function toPublicCover(record: CoverRecord): Cover {
  return {
    roadmap_id: record.roadmap_id,
    cover_image_url: record.cover_image_url,
    status: record.status,
    error: record.error,
    retry_count: record.retry_count,
  };
}
