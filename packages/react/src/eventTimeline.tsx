import type { RoadmapEvent } from '@roadmap/core/client';
import type { ComponentProps } from 'react';
import { cn } from './cn.js';
import { useRoadmapLabels } from './provider.js';

export interface EventTimelineProps extends ComponentProps<'ol'> {
  /** A task's events, oldest first. */
  events: readonly RoadmapEvent[];
}

/**
 * A task's execution log: one line per event, newest last. Of the `usage_updated` events (about one a second while a
 * task runs) only the latest is shown: each holds the task's whole usage so far. `content_delta` events (pieces of a
 * streaming tutorial, up to 10 a second) are left out: the tutorial shows them.
 */
export function EventTimeline({ events, className, ...props }: EventTimelineProps) {
  const labels = useRoadmapLabels();
  const latestUsage = events.findLastIndex((event) => event.type === 'usage_updated');
  return (
    <ol
      data-slot="event-timeline"
      aria-label={labels.timeline}
      className={cn('roadmap-timeline', className)}
      {...props}
    >
      {events.map(
        (event, index) =>
          (event.type !== 'usage_updated' || index === latestUsage) &&
          event.type !== 'content_delta' && (
            <li key={event.seq} data-type={event.type}>
              <time dateTime={event.timestamp}>{labels.formatDate(event.timestamp)}</time>
              <span>{labels.describeEvent(event, labels)}</span>
            </li>
          ),
      )}
    </ol>
  );
}
