'use client';

import { ConceptContent, CoverImage, RoadmapView, useRoadmap } from '@roadmap/react';
import { paths } from './paths.js';

/** A roadmap's cover (with a retry when it failed), its stages, modules and concepts, and the chosen concept. */
export function RoadmapPanel({ roadmapId, conceptId }: { roadmapId: string; conceptId: string | undefined }) {
  const { roadmap } = useRoadmap(roadmapId);
  return (
    <div className="demo-roadmap">
      <div>
        {roadmap && <CoverImage className="demo-cover" roadmapId={roadmapId} title={roadmap.title} retry />}
        <RoadmapView roadmapId={roadmapId} getConceptHref={(id) => paths.concept(roadmapId, id)} />
      </div>
      {conceptId && <ConceptContent key={conceptId} roadmapId={roadmapId} conceptId={conceptId} />}
    </div>
  );
}
