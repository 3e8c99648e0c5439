import Link from 'next/link';
import { RoadmapPanel } from '../../../components/RoadmapPanel.js';

/** `/roadmaps/[roadmapId]?concept=…`: the roadmap with its cover, and the chosen concept's content. */
export default async function RoadmapPage({
  params,
  searchParams,
}: {
  params: Promise<{ roadmapId: string }>;
  searchParams: Promise<{ concept?: string | string[] }>;
}) {
  const { roadmapId } = await params;
  const { concept } = await searchParams;
  return (
    <>
      <Link href="/" className="demo-back">
        ← All tasks
      </Link>
      <RoadmapPanel roadmapId={roadmapId} conceptId={typeof concept === 'string' ? concept : undefined} />
    </>
  );
}
