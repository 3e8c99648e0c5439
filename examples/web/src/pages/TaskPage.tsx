import { TaskDetail } from '@roadmap/react';
import { useAppLabels } from '../appContext.js';
import { paths } from '../router.js';
import { PageHeader } from './PageHeader.js';

/** One task: stages, progress, concepts, events; cancel and retry. */
export function TaskPage({ taskId }: { taskId: string }) {
  const labels = useAppLabels();
  return (
    <>
      <PageHeader hideTitle title={labels.taskTitle} back={{ href: paths.tasks(), label: labels.backToTasks }} />
      <TaskDetail taskId={taskId} getRoadmapHref={paths.roadmap} />
    </>
  );
}
