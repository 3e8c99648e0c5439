import Link from 'next/link';
import { TaskPanel } from '../../../components/TaskPanel.js';

/** `/tasks/[taskId]`: one task's live progress, with cancel and retry. */
export default async function TaskPage({ params }: { params: Promise<{ taskId: string }> }) {
  const { taskId } = await params;
  return (
    <>
      <Link href="/" className="demo-back">
        ← All tasks
      </Link>
      <TaskPanel taskId={taskId} />
    </>
  );
}
