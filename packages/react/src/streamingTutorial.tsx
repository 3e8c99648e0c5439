import type { PartialTutorial } from '@roadmap/core/client';
import { lazy, type ReactNode, Suspense } from 'react';
import type { MermaidLoader } from './mermaidDiagram.js';
import { useRoadmapLabels } from './provider.js';

/** The Markdown entry point, fetched the first time a tutorial is shown (by its package name: a chunk of its own). */
const LazyMarkdown = lazy(() => import('@roadmap/react/markdown').then((module) => ({ default: module.Markdown })));

/** A tutorial with the default renderer: its text as it is while the renderer loads. */
export function Tutorial({ source, loadMermaid }: { source: string; loadMermaid: MermaidLoader | undefined }) {
  const plain = (
    <div data-slot="markdown" className="roadmap-markdown" style={{ whiteSpace: 'pre-wrap' }}>
      {source}
    </div>
  );
  return (
    <Suspense fallback={plain}>
      <LazyMarkdown source={source} loadMermaid={loadMermaid} />
    </Suspense>
  );
}

/**
 * A tutorial while it streams in (SPEC §7): its Markdown rendered again with each delta (about 10 a second, not per
 * character), `aria-busy` while it grows, a caret at its end that takes no extra room, and a minimum height so the
 * parts below do not jump as the first lines arrive. Diagrams wait for the complete tutorial. A text kept from an
 * interrupted generation is marked incomplete.
 */
export function StreamingTutorial({
  tutorial,
  renderMarkdown,
}: {
  tutorial: PartialTutorial;
  renderMarkdown: ((source: string) => ReactNode) | undefined;
}) {
  const labels = useRoadmapLabels();
  const generating = tutorial.status === 'generating';
  return (
    <div
      data-slot="streaming-tutorial"
      data-status={tutorial.status}
      aria-busy={generating}
      className="roadmap-streaming"
    >
      {renderMarkdown ? (
        renderMarkdown(tutorial.content)
      ) : (
        <Tutorial source={tutorial.content} loadMermaid={undefined} />
      )}
      <p
        className={generating ? 'roadmap-muted roadmap-caret' : 'roadmap-error'}
        role={generating ? undefined : 'note'}
      >
        {generating ? labels.tutorialStreaming : labels.tutorialIncomplete}
      </p>
    </div>
  );
}
