'use client';

// The observer types of the hooks come from `@roadmap/core/client`; re-exported so the React API stays the same.
export type { TaskCounts, TaskListOptions, TaskRowState } from '@roadmap/core/client';

export type { BudgetPausePanelProps } from './budgetPausePanel.js';
export { BudgetPausePanel } from './budgetPausePanel.js';
export type { ButtonProps } from './button.js';
export { Button, buttonVariants } from './button.js';
export type { CancelTaskButtonProps } from './cancelTaskButton.js';
export { CancelTaskButton } from './cancelTaskButton.js';
export { cn } from './cn.js';
export type { ConceptContentProps } from './conceptContent.js';
export { ConceptContent } from './conceptContent.js';
export type { ConfirmDialogProps } from './confirmButton.js';
export type { CoverImageProps } from './coverImage.js';
export { CoverImage } from './coverImage.js';
export type { DeleteTaskButtonProps } from './deleteTaskButton.js';
export { DeleteTaskButton } from './deleteTaskButton.js';
export type { EventTimelineProps } from './eventTimeline.js';
export { EventTimeline } from './eventTimeline.js';
export type { GenerateRoadmapFormProps } from './generateRoadmapForm.js';
export { GenerateRoadmapForm } from './generateRoadmapForm.js';
export type { IconProps } from './icons.js';
export {
  ArrowRightIcon,
  CheckIcon,
  DownloadIcon,
  LoaderIcon,
  PauseIcon,
  PlayIcon,
  RefreshIcon,
  RetryIcon,
  TrashIcon,
  XCircleIcon,
} from './icons.js';
export type { ItemVersionsProps } from './itemVersions.js';
export { ItemVersions } from './itemVersions.js';
export type { RoadmapLabels } from './labels.js';
export { chineseLabels, englishLabels } from './labels.js';
export type { LiveTutorialProps } from './liveTutorial.js';
export { LiveTutorial } from './liveTutorial.js';
export type { ProgressBarProps } from './progressBar.js';
export { ProgressBar } from './progressBar.js';
export type { RoadmapProviderProps } from './provider.js';
export { RoadmapProvider, useRoadmapClient, useRoadmapLabels } from './provider.js';
export type { QuizPracticeProps, QuizQuestion } from './quizPractice.js';
export { isCorrectAnswer, QuizPractice } from './quizPractice.js';
export type { ReviewPanelProps } from './reviewPanel.js';
export { ReviewPanel } from './reviewPanel.js';
export type { RoadmapCardProps } from './roadmapCard.js';
export { RoadmapCard } from './roadmapCard.js';
export type { RoadmapGridProps } from './roadmapGrid.js';
export { RoadmapGrid } from './roadmapGrid.js';
export type { RoadmapLinkProps } from './roadmapLink.js';
export type { RoadmapViewProps } from './roadmapView.js';
export { RoadmapView } from './roadmapView.js';
export { safeHref } from './safeHref.js';
export type { StageDiagramProps } from './stageDiagram.js';
export { pipelineSteps, StageDiagram } from './stageDiagram.js';
export type { StatusBadgeProps } from './statusBadge.js';
export { StatusBadge, statusBadgeVariants } from './statusBadge.js';
export type { TaskDetailProps } from './taskDetail.js';
export { TaskDetail } from './taskDetail.js';
export type { TaskListProps } from './taskList.js';
export { TaskList } from './taskList.js';
export type { Concept, ItemStatus, RoadmapTheme, ShownItemStatus } from './types.js';
export type { UsageListProps } from './usageList.js';
export { UsageList } from './usageList.js';
export type { UsageSummaryProps } from './usageSummary.js';
export { UsageSummary } from './usageSummary.js';
export type { UseConceptResult } from './useConcept.js';
export { useConcept } from './useConcept.js';
export type { UseCoverImageOptions, UseCoverImageResult } from './useCoverImage.js';
export { useCoverImage } from './useCoverImage.js';
export type { UseCoverImagesOptions, UseCoverImagesResult } from './useCoverImages.js';
export { useCoverImages } from './useCoverImages.js';
export type { UseEstimateResult } from './useEstimate.js';
export { useEstimate } from './useEstimate.js';
export type { GenerateOptions, UseGenerateRoadmapResult } from './useGenerateRoadmap.js';
export { useGenerateRoadmap } from './useGenerateRoadmap.js';
export type { UseRoadmapResult } from './useRoadmap.js';
export { useRoadmap } from './useRoadmap.js';
export type { UseRoadmapsResult } from './useRoadmaps.js';
export { useRoadmaps } from './useRoadmaps.js';
export type { UseTaskResult } from './useTask.js';
export { useTask } from './useTask.js';
export type { UseTasksResult } from './useTasks.js';
export { useTasks } from './useTasks.js';
export type { UseUsageResult } from './useUsage.js';
export { useUsage } from './useUsage.js';
