import type {
  BatchCover,
  Cover,
  EstimateResponse,
  GenerateRoadmapBody,
  GenerateRoadmapResponse,
  RoadmapSummary,
  TaskSummary,
  UsageReport,
  UsageResponse,
} from '@roadmap/core/client';
import type { ComponentProps, MouseEvent } from 'react';
import { describe, expectTypeOf, it } from 'vitest';
import type {
  CoverImage,
  GenerateRoadmapForm,
  RoadmapCard,
  RoadmapGrid,
  RoadmapLabels,
  RoadmapProvider,
  RoadmapView,
  TaskDetail,
  TaskList,
  UsageList,
  UsageSummary,
  UseEstimateResult,
  UseTaskResult,
  UseTasksResult,
  UseUsageResult,
} from './index.js';
import { buttonVariants, statusBadgeVariants, useCoverImages, useEstimate, useTasks, useUsage } from './index.js';

describe('@roadmap/react public props', () => {
  it('types the provider', () => {
    type Props = ComponentProps<typeof RoadmapProvider>;
    expectTypeOf<Props['theme']>().toEqualTypeOf<'light' | 'dark' | 'system' | undefined>();
    expectTypeOf<Props['labels']>().toEqualTypeOf<Partial<RoadmapLabels> | undefined>();
  });

  it('types the task components', () => {
    type ListProps = ComponentProps<typeof TaskList>;
    expectTypeOf<(taskId: string) => void>().toExtend<NonNullable<ListProps['onCancel']>>();
    expectTypeOf<NonNullable<ListProps['onCancel']>>().parameter(1).toEqualTypeOf<MouseEvent<HTMLButtonElement>>();
    expectTypeOf<ListProps['getTaskHref']>().toEqualTypeOf<((task: TaskSummary) => string) | undefined>();
    expectTypeOf<ListProps['getRoadmapHref']>().toEqualTypeOf<((roadmapId: string) => string) | undefined>();
    expectTypeOf<ListProps['showUsage']>().toEqualTypeOf<boolean | undefined>();
    type DetailProps = ComponentProps<typeof TaskDetail>;
    expectTypeOf<DetailProps['taskId']>().toEqualTypeOf<string>();
    expectTypeOf<DetailProps['open']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<DetailProps['onOpenChange']>().toEqualTypeOf<((open: boolean) => void) | undefined>();
  });

  it('types the roadmap components', () => {
    expectTypeOf<ComponentProps<typeof CoverImage>['retry']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<ComponentProps<typeof CoverImage>['roadmapId']>().toEqualTypeOf<string>();
    expectTypeOf<ComponentProps<typeof RoadmapCard>['roadmap']>().toEqualTypeOf<RoadmapSummary>();
    expectTypeOf<ComponentProps<typeof RoadmapCard>['cover']>().toEqualTypeOf<Cover | BatchCover | undefined>();
    expectTypeOf<ComponentProps<typeof RoadmapGrid>['getRoadmapHref']>().toEqualTypeOf<
      ((roadmapId: string) => string) | undefined
    >();
    expectTypeOf<ComponentProps<typeof RoadmapView>['getConceptHref']>().toEqualTypeOf<
      ((conceptId: string) => string) | undefined
    >();
    expectTypeOf<ComponentProps<typeof GenerateRoadmapForm>['onCreated']>().toEqualTypeOf<
      ((response: GenerateRoadmapResponse) => void) | undefined
    >();
    expectTypeOf<ComponentProps<typeof GenerateRoadmapForm>['showEstimate']>().toEqualTypeOf<boolean | undefined>();
  });

  it('types the estimate hook', () => {
    expectTypeOf(useEstimate).parameter(0).toEqualTypeOf<GenerateRoadmapBody | undefined>();
    expectTypeOf(useEstimate).returns.toEqualTypeOf<UseEstimateResult>();
    expectTypeOf<UseEstimateResult['estimate']>().toEqualTypeOf<EstimateResponse | undefined>();
    expectTypeOf<EstimateResponse['estimated_cost_usd']>().toEqualTypeOf<number | null>();
  });

  it('types the usage components and hook', () => {
    expectTypeOf<UsageReport>().toExtend<ComponentProps<typeof UsageList>['usage']>();
    expectTypeOf<UsageResponse>().toExtend<ComponentProps<typeof UsageList>['usage']>();
    expectTypeOf<ComponentProps<typeof UsageList>['budgetUsd']>().toEqualTypeOf<number | null | undefined>();
    expectTypeOf<ComponentProps<typeof UsageSummary>['className']>().toEqualTypeOf<string | undefined>();
    expectTypeOf(useUsage).returns.toEqualTypeOf<UseUsageResult>();
    expectTypeOf<UseUsageResult['usage']>().toEqualTypeOf<UsageResponse | undefined>();
  });

  it('types hooks and variants', () => {
    expectTypeOf(useTasks).returns.toEqualTypeOf<UseTasksResult>();
    expectTypeOf<UseTasksResult['cancelTask']>().toEqualTypeOf<(taskId: string) => Promise<void>>();
    expectTypeOf<UseTaskResult['cancel']>().toEqualTypeOf<(reason?: string) => Promise<void>>();
    expectTypeOf(useCoverImages).returns.toHaveProperty('covers').toEqualTypeOf<Record<string, BatchCover>>();
    expectTypeOf(buttonVariants).parameter(0).exclude<undefined>().toHaveProperty('variant');
    // @ts-expect-error not a status
    statusBadgeVariants({ status: 'done' });
    // @ts-expect-error taskId is required
    expectTypeOf<ComponentProps<typeof TaskDetail>>().toEqualTypeOf<{ open?: boolean }>();
  });
});
