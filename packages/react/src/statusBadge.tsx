import type { TaskStatus } from '@roadmap/core/client';
import { cva } from 'class-variance-authority';
import type { ComponentProps } from 'react';
import { cn } from './cn.js';
import { useRoadmapLabels } from './provider.js';
import type { ItemStatus } from './types.js';

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
    },
  },
});

export interface StatusBadgeProps extends ComponentProps<'span'> {
  /** A task status, or a content item status. */
  status: TaskStatus | ItemStatus;
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
      {children ?? (status === 'generating' ? labels.itemStatus.generating : labels.status[status])}
    </span>
  );
}
