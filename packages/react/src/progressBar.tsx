import type { ComponentProps } from 'react';
import { cn } from './cn.js';
import { useRoadmapLabels } from './provider.js';

export interface ProgressBarProps extends ComponentProps<'div'> {
  /** 0–100; clamped. */
  value: number;
  /** Spoken value, e.g. `"3 of 9 items"`. Default: the percentage. */
  valueText?: string;
}

/** A determinate progress bar (`role="progressbar"`), named "Progress" unless `aria-label` is given. */
export function ProgressBar({ value, valueText, className, ...props }: ProgressBarProps) {
  const labels = useRoadmapLabels();
  const percentage = Math.min(100, Math.max(0, Math.round(value)));
  return (
    <div
      data-slot="progress-bar"
      role="progressbar"
      aria-label={labels.progress}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percentage}
      aria-valuetext={valueText ?? `${percentage}%`}
      className={cn('roadmap-progress', className)}
      {...props}
    >
      <div className="roadmap-progress__bar" style={{ width: `${percentage}%` }} />
    </div>
  );
}
