import type { PartialTutorial, RoadmapEvent } from '@roadmap/core/client';
import { type ComponentProps, useMemo } from 'react';
import { cn } from './cn.js';
import { useRoadmapLabels } from './provider.js';
import { StreamingTutorial } from './streamingTutorial.js';

/** The tutorial the latest `content_delta` events are writing, as they make it, or `undefined` when none is. */
export function liveTutorialFrom(
  events: readonly RoadmapEvent[],
): { conceptId: string; conceptName: string; tutorial: PartialTutorial } | undefined {
  let latest: Extract<RoadmapEvent, { type: 'content_delta' }> | undefined;
  for (let index = events.length - 1; index >= 0 && !latest; index -= 1) {
    const event = events[index];
    if (event?.type === 'content_delta' && event.content_type === 'tutorial') latest = event;
  }
  if (!latest) return undefined;
  const conceptId = latest.concept_id;
  let text = '';
  let conceptName = conceptId;
  let finished = false;
  for (const event of events) {
    if (!('concept_id' in event) || event.concept_id !== conceptId) continue;
    if (event.type === 'concept_start' && event.content_type === 'tutorial') {
      conceptName = event.concept_name;
      finished = false;
    } else if (event.type === 'content_delta' && event.content_type === 'tutorial') {
      text = text.slice(0, event.offset) + event.text;
      finished = false;
    } else if (
      (event.type === 'concept_complete' || event.type === 'concept_failed') &&
      event.content_type === 'tutorial'
    ) {
      finished = true;
    }
  }
  if (finished) return undefined;
  return { conceptId, conceptName, tutorial: { content: text, status: 'generating' } };
}

export interface LiveTutorialProps extends Omit<ComponentProps<'section'>, 'children'> {
  /** The task's events (from `useTask`): the tutorial is rebuilt from their `content_delta`s. */
  events: readonly RoadmapEvent[];
}

/**
 * The tutorial a running task is writing, as it arrives (SPEC §7 streaming): built from the task's `content_delta`
 * events, rendered as Markdown, gone once that tutorial is complete. Nothing while no tutorial streams.
 *
 * @example
 * <LiveTutorial events={events} />
 */
export function LiveTutorial({ events, className, ...props }: LiveTutorialProps) {
  const labels = useRoadmapLabels();
  const live = useMemo(() => liveTutorialFrom(events), [events]);
  if (!live) return null;
  return (
    <section
      data-slot="live-tutorial"
      aria-label={labels.tutorialLive(live.conceptName)}
      className={cn('roadmap-live-tutorial', className)}
      {...props}
    >
      <h3 className="roadmap-subheading">{labels.tutorialLive(live.conceptName)}</h3>
      <StreamingTutorial tutorial={live.tutorial} renderMarkdown={undefined} />
    </section>
  );
}
