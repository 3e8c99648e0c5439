import type { ComponentProps, MouseEvent } from 'react';
import { cn } from './cn.js';
import { useRoadmapLabels } from './provider.js';
import { RoadmapExport } from './roadmapExport.js';
import { RoadmapTree } from './roadmapTree.js';
import { useRoadmap } from './useRoadmap.js';

export interface RoadmapViewProps extends Omit<ComponentProps<'section'>, 'children'> {
  /** The roadmap to show. */
  roadmapId: string;
  /** Link of each concept (its content page), rendered by the provider's `linkComponent`. Default: plain text. */
  getConceptHref?: (conceptId: string) => string;
  /**
   * Called when the user picks an export format (Markdown or JSON), before the built-in download; call
   * `event.preventDefault()` to stop it. Default: the file downloads (`GET /roadmaps/{roadmap_id}/export`).
   */
  onExport?: (format: 'md' | 'json', event: MouseEvent<HTMLButtonElement>) => void;
}

/**
 * A roadmap: stages → modules → concepts, each concept with the status of its tutorial, resources and quiz, and
 * "Export" as Markdown or JSON (a file download, SPEC §9).
 *
 * @example
 * <RoadmapView roadmapId={roadmapId} getConceptHref={(id) => `/roadmaps/${roadmapId}/concepts/${id}`} />
 */
export function RoadmapView({ roadmapId, getConceptHref, onExport, className, ...props }: RoadmapViewProps) {
  const labels = useRoadmapLabels();
  const { roadmap, isLoading, error } = useRoadmap(roadmapId);
  return (
    <section
      data-slot="roadmap-view"
      aria-label={roadmap?.title ?? labels.loading}
      aria-busy={isLoading}
      className={cn('roadmap-view', className)}
      {...props}
    >
      {error && (
        <p role="alert" className="roadmap-error">
          {error.detail}
        </p>
      )}
      {!roadmap && isLoading && <p className="roadmap-muted">{labels.loading}</p>}
      {roadmap && (
        <>
          <h2 className="roadmap-heading">{roadmap.title}</h2>
          <p className="roadmap-muted">
            {roadmap.goal} · {labels.hours(roadmap.total_estimated_hours)}
          </p>
          <RoadmapExport roadmapId={roadmapId} onExport={onExport} />
          <RoadmapTree roadmap={roadmap} getConceptHref={getConceptHref} />
        </>
      )}
    </section>
  );
}
