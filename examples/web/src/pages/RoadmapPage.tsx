import { ConceptContent, CoverImage, RoadmapView, useRoadmap } from '@roadmap/react';
import { useAppLabels } from '../appContext.js';
import { RouterLink } from '../RouterLink.js';
import { paths } from '../router.js';
import { PageHeader } from './PageHeader.js';

/** mermaid draws the tutorials' diagrams: loaded (a chunk of its own) only when a tutorial has one. */
const loadMermaid = () => import('mermaid');

/** A roadmap's stages, modules and concepts; the chosen concept's content beside it. */
export function RoadmapPage({ roadmapId, conceptId }: { roadmapId: string; conceptId: string | undefined }) {
  const labels = useAppLabels();
  const { roadmap } = useRoadmap(roadmapId);
  return (
    <>
      <PageHeader hideTitle title={labels.roadmapTitle} back={{ href: paths.home(), label: labels.backToRoadmaps }} />
      <div className={conceptId ? 'demo-roadmap demo-roadmap--with-concept' : 'demo-roadmap'}>
        <div className="demo-roadmap-view">
          {roadmap && <CoverImage className="demo-roadmap-cover" roadmapId={roadmapId} title={roadmap.title} retry />}
          <RoadmapView roadmapId={roadmapId} getConceptHref={(id) => paths.concept(roadmapId, id)} />
        </div>
        {conceptId ? (
          <section className="demo-concept" aria-label={labels.conceptHint}>
            <RouterLink className="demo-back" href={paths.roadmap(roadmapId)}>
              <span aria-hidden="true">×</span> {labels.closeConcept}
            </RouterLink>
            <ConceptContent key={conceptId} roadmapId={roadmapId} conceptId={conceptId} loadMermaid={loadMermaid} />
          </section>
        ) : (
          <p className="demo-hint">{labels.conceptHint}</p>
        )}
      </div>
    </>
  );
}
