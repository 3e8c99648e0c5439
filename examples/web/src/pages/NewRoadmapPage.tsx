import { GenerateRoadmapForm } from '@roadmap/react';
import { useAppLabels } from '../appContext.js';
import { navigate, paths } from '../router.js';
import { PageHeader } from './PageHeader.js';

/** The generation form; on success the task's detail page shows the progress. */
export function NewRoadmapPage() {
  const labels = useAppLabels();
  return (
    <>
      <PageHeader title={labels.newTitle} intro={labels.newIntro} />
      <div className="demo-narrow">
        <GenerateRoadmapForm onCreated={(response) => navigate(paths.task(response.task_id))} />
      </div>
    </>
  );
}
