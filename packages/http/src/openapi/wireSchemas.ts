import {
  contentKindSchema,
  coverSchema,
  generateRequestSchema,
  quizSchema,
  resourcesSchema,
  roadmapSchema,
  taskStatusSchema,
  tutorialSchema,
} from '@roadmap/core';
import { currentStepSchema } from '@roadmap/core/internal';
import { z } from 'zod';

// The JSON of every answer of the REST API (SPEC §3, §7), as zod schemas: the OpenAPI document is generated from
// them, and the drift test parses real answers with them. `wireSchemas.test-d.ts` holds each equal to its
// TypeScript type of `@roadmap/core`, so the types, the schemas and the document cannot drift apart.

const timestamp = z.string().describe('ISO 8601 time, UTC');

/** `current_step` of a task (core's schema). */
export { currentStepSchema };

export const progressSchema = z.strictObject({
  completed: z.number().int(),
  failed: z.number().int(),
  total: z.number().int(),
  percentage: z.number(),
});

export const usageReportSchema = z.strictObject({
  calls: z.number().int(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cost_usd: z.number().nullable().describe('null when a call used a model without a price'),
});

export const taskSchema = z.strictObject({
  task_id: z.string(),
  user_id: z.string(),
  roadmap_id: z.string(),
  title: z.string(),
  status: taskStatusSchema,
  current_step: currentStepSchema,
  progress: progressSchema,
  error_message: z.string().nullable(),
  failed_concepts: z.strictObject({ count: z.number().int(), concept_ids: z.array(z.string()) }),
  cancel_reason: z.string().nullable(),
  pause_reason: z.enum(['user', 'budget']).nullable(),
  review_round: z.number().int(),
  usage: usageReportSchema,
  budget_usd: z.number().nullable(),
  attempts: z.number().int(),
  created_at: timestamp,
  updated_at: timestamp,
  completed_at: timestamp.nullable(),
});

export const taskSummarySchema = taskSchema
  .pick({
    task_id: true,
    roadmap_id: true,
    title: true,
    status: true,
    current_step: true,
    progress: true,
    created_at: true,
    updated_at: true,
    completed_at: true,
    error_message: true,
    usage: true,
  })
  .strict();

export const generateRoadmapBodySchema = generateRequestSchema;

export const generateRoadmapResponseSchema = z.strictObject({
  task_id: z.string(),
  roadmap_id: z.string(),
  status: taskStatusSchema,
  message: z.string(),
});

export const taskListResponseSchema = z.strictObject({
  tasks: z.array(taskSummarySchema),
  total: z.number().int(),
  pending_count: z.number().int(),
  processing_count: z.number().int(),
  completed_count: z.number().int(),
  failed_count: z.number().int(),
  cancelled_count: z.number().int(),
});

export const taskStatusResponseSchema = z.strictObject({
  task_id: z.string(),
  status: taskStatusSchema,
  current_step: currentStepSchema,
  roadmap_id: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
  error_message: z.string().nullable(),
});

export const cancelTaskBodySchema = z.object({ reason: z.string().max(500).optional() });

export const cancelTaskResponseSchema = z.strictObject({
  success: z.literal(true),
  task_id: z.string(),
  message: z.string(),
  previous_status: taskStatusSchema,
  aborted_calls: z.number().int(),
  kept_items: z.number().int(),
  usage: usageReportSchema,
});

export const batchCancelBodySchema = z.union([
  z.object({ task_ids: z.array(z.string()).min(1).max(100), reason: z.string().max(500).optional() }),
  z.object({ status: z.enum(['pending', 'processing', 'active']), reason: z.string().max(500).optional() }),
]);

export const batchCancelResponseSchema = z.strictObject({
  cancelled: z.array(z.string()),
  not_cancellable: z.array(z.string()),
  not_found: z.array(z.string()),
});

export const pauseTaskBodySchema = z.object({ abort_in_flight: z.boolean().optional() });

export const pauseTaskResponseSchema = z.strictObject({
  task_id: z.string(),
  status: z.literal('paused'),
  previous_status: taskStatusSchema,
});

export const resumeTaskBodySchema = z.object({ budget_usd: z.number().positive().optional() });

export const resumeTaskResponseSchema = z.strictObject({ task_id: z.string(), status: z.literal('pending') });

export const reviewTaskBodySchema = z.object({ approved: z.boolean(), feedback: z.string().max(2000).optional() });

export const reviewTaskResponseSchema = z.strictObject({ task_id: z.string(), status: taskStatusSchema });

export const reviewProposalResponseSchema = z.strictObject({
  task_id: z.string(),
  round: z.number().int(),
  max_rounds: z.number().int(),
  proposal: roadmapSchema,
});

export const retryTaskResponseSchema = z.strictObject({
  task_id: z.string(),
  status: z.literal('pending'),
  items_to_retry: z.number().int(),
  message: z.string(),
});

export const estimateResponseSchema = z.strictObject({
  estimated_calls: z.number(),
  estimated_input_tokens: z.number(),
  estimated_output_tokens: z.number(),
  estimated_cost_usd: z.number().nullable(),
});

export const usageResponseSchema = z.strictObject({
  period_start: timestamp,
  period_end: timestamp,
  spent_usd: z.number(),
  reserved_usd: z.number(),
  budget_usd: z.number().nullable(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  calls: z.number().int(),
});

export const roadmapSummarySchema = z.strictObject({
  roadmap_id: z.string(),
  title: z.string(),
  total_concepts: z.number().int(),
  completed_concepts: z.number().int(),
  task_id: z.string().nullable(),
  task_status: taskStatusSchema.nullable(),
  created_at: timestamp,
});

export const roadmapListResponseSchema = z.strictObject({
  roadmaps: z.array(roadmapSummarySchema),
  next_cursor: z.string().nullable().describe('null on the last page'),
});

export const roadmapResponseSchema = roadmapSchema;

export const conceptDetailSchema = z.strictObject({
  concept: roadmapSchema.shape.stages.element.shape.modules.element.shape.concepts.element,
  tutorial: tutorialSchema.nullable(),
  resources: resourcesSchema.shape.resources.nullable(),
  quiz: quizSchema.shape.questions.nullable(),
  partial_tutorial: z
    .strictObject({ content: z.string(), status: z.enum(['generating', 'failed']) })
    .nullable()
    .describe('the text streamed so far while the tutorial generates, or kept from an interrupted generation'),
  item_errors: z
    .strictObject({ tutorial: z.string().nullable(), resources: z.string().nullable(), quiz: z.string().nullable() })
    .optional()
    .describe('why each item failed (its last error), null for an item that did not fail'),
});

export const retryConceptContentResponseSchema = z.strictObject({
  success: z.boolean(),
  concept_id: z.string(),
  content_type: contentKindSchema,
  task_id: z.string(),
  message: z.string(),
});

export const regenerateItemBodySchema = z.object({ feedback: z.string().min(1).max(2000) });

export const regenerateItemResponseSchema = z.strictObject({
  success: z.literal(true),
  concept_id: z.string(),
  content_type: contentKindSchema,
  task_id: z.string(),
  version: z.number().int(),
  message: z.string(),
});

export const itemVersionsResponseSchema = z.strictObject({
  versions: z.array(
    z.strictObject({
      version: z.number().int(),
      created_at: timestamp,
      feedback: z.string().nullable(),
      content: z.union([tutorialSchema, resourcesSchema, quizSchema]).nullable(),
      current: z.boolean(),
    }),
  ),
});

export const restoreItemResponseSchema = z.strictObject({
  concept_id: z.string(),
  content_type: contentKindSchema,
  version: z.number().int(),
});

export const coverResponseSchema = coverSchema;

export const roadmapIdsBodySchema = z.object({ roadmap_ids: z.array(z.string()).min(1).max(100) });

export const batchCoversResponseSchema = z.array(
  z.union([
    coverSchema,
    z.strictObject({ roadmap_id: z.string(), status: z.literal('not_found'), cover_image_url: z.null() }),
  ]),
);

export const batchGenerateCoversResponseSchema = z.strictObject({
  triggered: z.number().int(),
  skipped: z.number().int(),
  roadmap_ids: z.array(z.string()),
  not_found: z.array(z.string()),
  message: z.string(),
});

export const roadmapExportSchema = z.strictObject({
  roadmap: roadmapSchema,
  concepts: z.array(conceptDetailSchema).describe('every concept in roadmap order with its generated items'),
  cover: coverSchema,
});

export const userExportSchema = z.strictObject({
  user_id: z.string(),
  exported_at: timestamp,
  tasks: z.array(taskSchema).describe('every task of the caller, newest first'),
  roadmaps: z.array(roadmapExportSchema).describe('every roadmap of the caller, newest first'),
  usage: usageResponseSchema,
});

export const deleteMeResponseSchema = z.strictObject({
  deleted: z
    .strictObject({
      tasks: z.number().int(),
      roadmaps: z.number().int(),
      items: z.number().int(),
      events: z.number().int(),
      covers: z.number().int(),
      blobs: z.number().int(),
    })
    .describe('what this call erased (zeros when nothing was left)'),
});

export const apiErrorSchema = z.strictObject({
  detail: z.string().describe('what went wrong, for people'),
  code: z.string().describe('a machine code: not_found, forbidden, invalid_input, rate_limited, …'),
  errors: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
});
