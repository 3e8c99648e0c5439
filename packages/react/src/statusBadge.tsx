import type { TaskStatus } from '@roadmap/core/client';
import type { ComponentProps } from 'react';
import { cn } from './cn.js';
import { useRoadmapLabels } from './provider.js';
import type { ShownItemStatus } from './types.js';
import { cva } from './variants.js';

/** Classes of a status badge, one `status` variant per task and item status (`cancelled` has its own). */
export const statusBadgeVariants = cva('roadmap-badge', {
  variants: {
    status: {
      pending: 'roadmap-badge--pending',
      processing: 'roadmap-badge--processing',
      generating: 'roadmap-badge--processing',
      completed: 'roadmap-badge--completed',
      failed: 'roadmap-badge--failed',
      partial_failure: 'roadmap-badge--partial',
      cancelled: 'roadmap-badge--cancelled',
      human_review_pending: 'roadmap-badge--review',
      paused: 'roadmap-badge--paused',
      not_generated: 'roadmap-badge--cancelled',
    },
  },
});

export interface StatusBadgeProps extends ComponentProps<'span'> {
  /** A task status, or a content item status. */
  status: TaskStatus | ShownItemStatus;
}

/** The status of a task or content item, as a colored label (text from the provider's labels). */
export function StatusBadge({ status, className, children, ...props }: StatusBadgeProps) {
  const labels = useRoadmapLabels();
  return (
    <span
      data-slot="status-badge"
      data-status={status}
      className={cn(statusBadgeVariants({ status }), className)}
      {...props}
    >
      {children ?? labels.status[status as TaskStatus] ?? labels.itemStatus[status as ShownItemStatus]}
    </span>
  );
}
