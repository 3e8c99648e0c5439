import { TaskDetail } from '@roadmap/react';
import { useAppLabels } from '../appContext.js';
import { navigate, paths } from '../router.js';
import { PageHeader } from './PageHeader.js';

/** One task: stages, progress, concepts, events; cancel, retry and delete (then back to the task list). */
export function TaskPage({ taskId }: { taskId: string }) {
  const labels = useAppLabels();
  return (
    <>
      <PageHeader hideTitle title={labels.taskTitle} back={{ href: paths.tasks(), label: labels.backToTasks }} />
      <TaskDetail taskId={taskId} getRoadmapHref={paths.roadmap} onDeleted={() => navigate(paths.tasks())} />
    </>
  );
}
