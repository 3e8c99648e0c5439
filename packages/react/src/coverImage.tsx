import type { BatchCover, Cover } from '@roadmap/core/client';
import { type ComponentProps, type CSSProperties, useState } from 'react';
import { Button } from './button.js';
import { cn } from './cn.js';
import { LoaderIcon, RetryIcon } from './icons.js';
import { useRoadmapLabels } from './provider.js';
import { useCoverImage } from './useCoverImage.js';

export interface CoverImageProps extends Omit<ComponentProps<'div'>, 'children'> {
  /** The roadmap whose cover to show. */
  roadmapId: string;
  /** The roadmap's title: alternative text, and its first letter on the fallback gradient. */
  title: string;
  /** Offer "Retry Cover Generation" over a failed cover. Default: `false`. */
  retry?: boolean;
  /** A cover already known (e.g. from a batch); used until a newer one arrives, and no request is made. */
  cover?: Cover | BatchCover;
  /** Fetch the cover when none is known. Default: `true` (off when `cover` is given or a batch loads it). */
  fetch?: boolean;
}

/** A hue from the roadmap id, so each fallback gradient differs but stays the same across renders. */
function hue(text: string): number {
  let hash = 0;
  for (const character of text) hash = (hash * 31 + (character.codePointAt(0) ?? 0)) % 360;
  return hash;
}

/**
 * A roadmap's cover: the image once generated, otherwise a gradient with the title's first letter. An image that
 * fails to load (gone from the server, offline) falls back to the same artwork, never the browser's broken-image
 * icon. With `retry`, a failed cover or an image that failed to load offers "Retry Cover Generation", which
 * generates again and polls every second (at most 30 times).
 *
 * @example
 * <CoverImage roadmapId={roadmap.roadmap_id} title={roadmap.title} retry />
 */
export function CoverImage({
  roadmapId,
  title,
  retry = false,
  cover: givenCover,
  fetch = true,
  className,
  style,
  ...props
}: CoverImageProps) {
  const labels = useRoadmapLabels();
  const {
    cover: cachedCover,
    isRetrying,
    retry: startRetry,
  } = useCoverImage(roadmapId, { fetch: fetch && !givenCover });
  const cover = cachedCover ?? givenCover;
  const status = cover?.status;
  const url = status === 'success' ? cover?.cover_image_url : null;
  // The URL whose image did not load: a newer cover (another URL) is tried again.
  const [brokenUrl, setBrokenUrl] = useState<string | null>(null);
  const imageBroken = typeof url === 'string' && url === brokenUrl;
  const busy = isRetrying || status === 'pending' || status === 'generating';
  return (
    <div
      data-slot="cover-image"
      data-status={status ?? 'loading'}
      data-image-error={imageBroken || undefined}
      aria-busy={busy}
      className={cn('roadmap-cover', className)}
      style={{ '--roadmap-cover-hue': hue(roadmapId), ...style } as CSSProperties}
      {...props}
    >
      {url && !imageBroken ? (
        <img
          className="roadmap-cover__image"
          src={url}
          alt={labels.coverAlt(title)}
          onError={() => setBrokenUrl(url)}
        />
      ) : (
        <div className="roadmap-cover__fallback" role="img" aria-label={labels.coverAlt(title)}>
          <span aria-hidden="true">{Array.from(title.trim())[0]?.toUpperCase() ?? '?'}</span>
        </div>
      )}
      {busy ? (
        <div className="roadmap-cover__overlay" role="status">
          <LoaderIcon className="roadmap-spin" />
          {labels.generating}
        </div>
      ) : (
        (status === 'failed' || imageBroken) &&
        retry && (
          <div className="roadmap-cover__overlay">
            <Button size="sm" variant="outline" onClick={() => void startRetry()}>
              <RetryIcon />
              {labels.retryCover}
            </Button>
          </div>
        )
      )}
    </div>
  );
}
