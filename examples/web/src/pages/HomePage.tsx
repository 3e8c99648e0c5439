import { buttonVariants, RoadmapGrid } from '@roadmap/react';
import { useAppLabels } from '../appContext.js';
import { RouterLink } from '../RouterLink.js';
import { paths } from '../router.js';
import { PageHeader } from './PageHeader.js';

/** My roadmaps with their covers, and the way to create one. */
export function HomePage() {
  const labels = useAppLabels();
  return (
    <>
      <PageHeader
        title={labels.myRoadmaps}
        intro={labels.myRoadmapsIntro}
        actions={
          <RouterLink className={buttonVariants()} href={paths.newRoadmap()}>
            {labels.createRoadmap}
          </RouterLink>
        }
      />
      <RoadmapGrid getRoadmapHref={paths.roadmap} />
    </>
  );
}
