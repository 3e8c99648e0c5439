import type { ComponentProps } from 'react';
import { cn } from './cn.js';
import { useRoadmapLabels } from './provider.js';
import { RoadmapCard } from './roadmapCard.js';
import { useCoverImages } from './useCoverImages.js';
import { useRoadmaps } from './useRoadmaps.js';

export interface RoadmapGridProps extends Omit<ComponentProps<'div'>, 'children'> {
  /** Link of each card's title, rendered by the provider's `linkComponent`. Default: no links. */
  getRoadmapHref?: (roadmapId: string) => string;
  /** On first load, generate the covers that are missing or failed (one batch request). Default: `true`. */
  autoGenerateCovers?: boolean;
}

/**
 * The caller's roadmaps as cards. Covers are read in one batch request; missing ones are generated once, in one batch.
 *
 * @example
 * <RoadmapGrid getRoadmapHref={(id) => `/roadmaps/${id}`} />
 */
export function RoadmapGrid({ getRoadmapHref, autoGenerateCovers = true, className, ...props }: RoadmapGridProps) {
  const labels = useRoadmapLabels();
  const { roadmaps, isLoading, error } = useRoadmaps();
  const { covers } = useCoverImages(
    roadmaps.map((roadmap) => roadmap.roadmap_id),
    { autoGenerate: autoGenerateCovers },
  );
  return (
    <div data-slot="roadmap-grid" aria-busy={isLoading} className={cn('roadmap-grid', className)} {...props}>
      {error && (
        <p role="alert" className="roadmap-error">
          {error.detail}
        </p>
      )}
      {!isLoading && roadmaps.length === 0 && <p className="roadmap-empty">{labels.empty}</p>}
      {roadmaps.map((roadmap) => {
        const cover = covers[roadmap.roadmap_id];
        return (
          <RoadmapCard
            key={roadmap.roadmap_id}
            roadmap={roadmap}
            fetchCover={false}
            href={getRoadmapHref?.(roadmap.roadmap_id)}
            cover={cover}
          />
        );
      })}
    </div>
  );
}
