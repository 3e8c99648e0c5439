import type {
  ApiErrorBody,
  BatchCancelResponse,
  BatchCover,
  BatchGenerateCoversResponse,
  CancelTaskResponse,
  ConceptDetail,
  ControlMessage,
  Cover,
  CurrentStatusMessage,
  GenerateRoadmapResponse,
  RetryConceptContentResponse,
  RetryTaskResponse,
  Roadmap,
  RoadmapEngine,
  RoadmapListResponse,
  Task,
  TaskListResponse,
  TaskStatusResponse,
  TaskSummary,
} from '@roadmap/core';
import type * as client from '@roadmap/core/client';
import { describe, expectTypeOf, it } from 'vitest';
import type { toHttpResponse } from '../errors/errorResponse.js';
import type { HttpError } from '../errors/httpError.js';
import type {
  toBatchCancelResponse,
  toCancelTaskResponse,
  toCurrentStatusMessage,
  toGenerateRoadmapResponse,
  toRetryConceptContentResponse,
  toRetryTaskResponse,
  toRoadmapListResponse,
  toTaskListResponse,
  toTaskStatusResponse,
  toTaskSummary,
} from './wireFormat.js';

/**
 * Every body the router and the WebSocket send is one of core's wire types — the types `@roadmap/core/client` reads.
 * A field added to a builder and not to the wire type (or the other way round) fails here or in the builder itself.
 */
describe('the wire format of @roadmap/express', () => {
  it('builds each REST body as its wire type', () => {
    expectTypeOf<ReturnType<typeof toGenerateRoadmapResponse>>().toEqualTypeOf<GenerateRoadmapResponse>();
    expectTypeOf<ReturnType<typeof toTaskSummary>>().toEqualTypeOf<TaskSummary>();
    expectTypeOf<ReturnType<typeof toTaskListResponse>>().toEqualTypeOf<TaskListResponse>();
    expectTypeOf<ReturnType<typeof toTaskStatusResponse>>().toEqualTypeOf<TaskStatusResponse>();
    expectTypeOf<ReturnType<typeof toCancelTaskResponse>>().toEqualTypeOf<CancelTaskResponse>();
    expectTypeOf<ReturnType<typeof toBatchCancelResponse>>().toEqualTypeOf<BatchCancelResponse>();
    expectTypeOf<ReturnType<typeof toRetryTaskResponse>>().toEqualTypeOf<RetryTaskResponse>();
    expectTypeOf<ReturnType<typeof toRoadmapListResponse>>().toEqualTypeOf<RoadmapListResponse>();
    expectTypeOf<ReturnType<typeof toRetryConceptContentResponse>>().toEqualTypeOf<RetryConceptContentResponse>();
    expectTypeOf<ReturnType<typeof toHttpResponse>['body']>().toEqualTypeOf<ApiErrorBody>();
    expectTypeOf<HttpError['body']>().toEqualTypeOf<ApiErrorBody>();
  });

  it('sends what the engine returns as is only where that is the wire type', () => {
    type Resolved<Method extends (...args: never[]) => unknown> = Awaited<ReturnType<Method>>;
    expectTypeOf<Resolved<RoadmapEngine['getTask']>>().toEqualTypeOf<Task | null>();
    expectTypeOf<Resolved<RoadmapEngine['getRoadmap']>>().toEqualTypeOf<Roadmap | null>();
    expectTypeOf<Resolved<RoadmapEngine['getConcept']>>().toEqualTypeOf<ConceptDetail | null>();
    expectTypeOf<Resolved<RoadmapEngine['listRoadmaps']>>().toEqualTypeOf<RoadmapListResponse>();
    expectTypeOf<Resolved<RoadmapEngine['covers']['get']>>().toEqualTypeOf<Cover>();
    expectTypeOf<Resolved<RoadmapEngine['covers']['generate']>>().toEqualTypeOf<Cover>();
    expectTypeOf<Resolved<RoadmapEngine['covers']['upload']>>().toEqualTypeOf<Cover>();
    expectTypeOf<Resolved<RoadmapEngine['covers']['batchGet']>>().toEqualTypeOf<BatchCover[]>();
    expectTypeOf<Resolved<RoadmapEngine['covers']['batchGenerate']>>().toEqualTypeOf<BatchGenerateCoversResponse>();
  });

  it('builds WebSocket control messages as the wire’s', () => {
    expectTypeOf<ReturnType<typeof toCurrentStatusMessage>>().toEqualTypeOf<CurrentStatusMessage>();
    expectTypeOf<CurrentStatusMessage>().toExtend<ControlMessage>();
  });

  it('answers with the types the browser client reads', () => {
    expectTypeOf<client.TaskListResponse>().toEqualTypeOf<TaskListResponse>();
    expectTypeOf<client.TaskStatusResponse>().toEqualTypeOf<TaskStatusResponse>();
    expectTypeOf<client.GenerateRoadmapResponse>().toEqualTypeOf<GenerateRoadmapResponse>();
    expectTypeOf<client.CancelTaskResponse>().toEqualTypeOf<CancelTaskResponse>();
    expectTypeOf<client.RetryTaskResponse>().toEqualTypeOf<RetryTaskResponse>();
    expectTypeOf<client.RoadmapListResponse>().toEqualTypeOf<RoadmapListResponse>();
    expectTypeOf<client.RetryConceptContentResponse>().toEqualTypeOf<RetryConceptContentResponse>();
    expectTypeOf<client.BatchGenerateCoversResponse>().toEqualTypeOf<BatchGenerateCoversResponse>();
    expectTypeOf<client.ApiErrorBody>().toEqualTypeOf<ApiErrorBody>();
    expectTypeOf<client.ControlMessage>().toEqualTypeOf<ControlMessage>();
  });
});
