import type { BatchCover, Cover, RoadmapSummary } from '@roadmap/core/client';
import type { ComponentProps } from 'react';
import { cn } from './cn.js';
import { CoverImage } from './coverImage.js';
import { ProgressBar } from './progressBar.js';
import { useRoadmapLabels } from './provider.js';
import { RoadmapLink } from './roadmapLink.js';
import { StatusBadge } from './statusBadge.js';

export interface RoadmapCardProps extends Omit<ComponentProps<'article'>, 'children'> {
  /** The roadmap, as `GET /roadmaps` lists it. */
  roadmap: RoadmapSummary;
  /** Link of the card's title, rendered by the provider's `linkComponent`. Default: the title is plain text. */
  href?: string;
  /** Its cover, when already known (e.g. from `useCoverImages`); otherwise the card fetches it. */
  cover?: Cover | BatchCover;
  /** Fetch the cover when none is known. Default: `true`; `RoadmapGrid` turns it off (it reads covers in one batch). */
  fetchCover?: boolean;
}

/**
 * A roadmap as a card: cover (with retry when it failed), title, task status and concepts done.
 *
 * @example
 * <RoadmapCard roadmap={roadmap} href={`/roadmaps/${roadmap.roadmap_id}`} />
 */
export function RoadmapCard({ roadmap, href, cover, fetchCover = true, className, ...props }: RoadmapCardProps) {
  const labels = useRoadmapLabels();
  const { total_concepts: total, completed_concepts: completed } = roadmap;
  return (
    <article
      data-slot="roadmap-card"
      data-roadmap-id={roadmap.roadmap_id}
      className={cn('roadmap-card', className)}
      {...props}
    >
      <CoverImage roadmapId={roadmap.roadmap_id} title={roadmap.title} retry fetch={fetchCover} cover={cover} />
      <div className="roadmap-card__body">
        <h3 className="roadmap-card__title">
          {href ? (
            <RoadmapLink className="roadmap-link" href={href}>
              {roadmap.title}
            </RoadmapLink>
          ) : (
            roadmap.title
          )}
        </h3>
        {roadmap.task_status && <StatusBadge status={roadmap.task_status} />}
        <ProgressBar value={total ? (100 * completed) / total : 0} valueText={labels.conceptsDone(completed, total)} />
        <p className="roadmap-muted">{labels.conceptsDone(completed, total)}</p>
      </div>
    </article>
  );
}
