import type { RoadmapEvent } from '@roadmap/core/client';
import type { ComponentProps } from 'react';
import { cn } from './cn.js';
import { useRoadmapLabels } from './provider.js';

export interface EventTimelineProps extends ComponentProps<'ol'> {
  /** A task's events, oldest first. */
  events: readonly RoadmapEvent[];
}

/** A task's execution log: one line per event, newest last. */
export function EventTimeline({ events, className, ...props }: EventTimelineProps) {
  const labels = useRoadmapLabels();
  return (
    <ol
      data-slot="event-timeline"
      aria-label={labels.timeline}
      className={cn('roadmap-timeline', className)}
      {...props}
    >
      {events.map((event) => (
        <li key={event.seq} data-type={event.type}>
          <time dateTime={event.timestamp}>{labels.formatDate(event.timestamp)}</time>
          <span>{labels.describeEvent(event, labels)}</span>
        </li>
      ))}
    </ol>
  );
}
