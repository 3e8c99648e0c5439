import type {
  ApiErrorBody,
  BatchCancelResponse,
  BatchCover,
  BatchGenerateCoversResponse,
  CancelTaskResponse,
  ConceptDetail,
  Cover,
  DeletedUserData,
  EstimateResponse,
  GenerateRoadmapResponse,
  ItemVersionsResponse,
  PauseTaskResponse,
  RegenerateItemResponse,
  RestoreItemResponse,
  ResumeTaskResponse,
  RetryConceptContentResponse,
  RetryTaskResponse,
  ReviewProposalResponse,
  ReviewTaskResponse,
  Roadmap,
  RoadmapExport,
  RoadmapListResponse,
  Task,
  TaskListResponse,
  TaskStatusResponse,
  UsageResponse,
  UserExport,
} from '@roadmap/core';
import { expectTypeOf } from 'vitest';
import type { z } from 'zod';
import type * as wire from './wireSchemas.js';

// Each schema of the OpenAPI document is exactly the TypeScript type the server answers with: a field added to one
// and not the other fails the typecheck.
type Output<Schema extends z.ZodType> = z.output<Schema>;

expectTypeOf<Output<typeof wire.taskSchema>>().toEqualTypeOf<Task>();
expectTypeOf<Output<typeof wire.generateRoadmapResponseSchema>>().toEqualTypeOf<GenerateRoadmapResponse>();
expectTypeOf<Output<typeof wire.taskListResponseSchema>>().toEqualTypeOf<TaskListResponse>();
expectTypeOf<Output<typeof wire.taskStatusResponseSchema>>().toEqualTypeOf<TaskStatusResponse>();
expectTypeOf<Output<typeof wire.cancelTaskResponseSchema>>().toEqualTypeOf<CancelTaskResponse>();
expectTypeOf<Output<typeof wire.batchCancelResponseSchema>>().toEqualTypeOf<BatchCancelResponse>();
expectTypeOf<Output<typeof wire.pauseTaskResponseSchema>>().toEqualTypeOf<PauseTaskResponse>();
expectTypeOf<Output<typeof wire.resumeTaskResponseSchema>>().toEqualTypeOf<ResumeTaskResponse>();
expectTypeOf<Output<typeof wire.reviewTaskResponseSchema>>().toEqualTypeOf<ReviewTaskResponse>();
expectTypeOf<Output<typeof wire.reviewProposalResponseSchema>>().toEqualTypeOf<ReviewProposalResponse>();
expectTypeOf<Output<typeof wire.retryTaskResponseSchema>>().toEqualTypeOf<RetryTaskResponse>();
expectTypeOf<Output<typeof wire.estimateResponseSchema>>().toEqualTypeOf<EstimateResponse>();
expectTypeOf<Output<typeof wire.usageResponseSchema>>().toEqualTypeOf<UsageResponse>();
expectTypeOf<Output<typeof wire.roadmapListResponseSchema>>().toEqualTypeOf<RoadmapListResponse>();
expectTypeOf<Output<typeof wire.roadmapResponseSchema>>().toEqualTypeOf<Roadmap>();
expectTypeOf<Output<typeof wire.conceptDetailSchema>>().toEqualTypeOf<ConceptDetail>();
expectTypeOf<Output<typeof wire.retryConceptContentResponseSchema>>().toEqualTypeOf<RetryConceptContentResponse>();
expectTypeOf<Output<typeof wire.regenerateItemResponseSchema>>().toEqualTypeOf<RegenerateItemResponse>();
expectTypeOf<Output<typeof wire.itemVersionsResponseSchema>>().toEqualTypeOf<ItemVersionsResponse>();
expectTypeOf<Output<typeof wire.restoreItemResponseSchema>>().toEqualTypeOf<RestoreItemResponse>();
expectTypeOf<Output<typeof wire.coverResponseSchema>>().toEqualTypeOf<Cover>();
expectTypeOf<Output<typeof wire.batchCoversResponseSchema>>().toEqualTypeOf<BatchCover[]>();
expectTypeOf<Output<typeof wire.batchGenerateCoversResponseSchema>>().toEqualTypeOf<BatchGenerateCoversResponse>();
expectTypeOf<Output<typeof wire.apiErrorSchema>>().toEqualTypeOf<ApiErrorBody>();
expectTypeOf<Output<typeof wire.roadmapExportSchema>>().toEqualTypeOf<RoadmapExport>();
expectTypeOf<Output<typeof wire.userExportSchema>>().toEqualTypeOf<UserExport>();
expectTypeOf<Output<typeof wire.deleteMeResponseSchema>>().toEqualTypeOf<{ deleted: DeletedUserData }>();
