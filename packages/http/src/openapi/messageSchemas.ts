import { contentKindSchema, taskStatusSchema } from '@roadmap/core';
import { z } from 'zod';
import { currentStepSchema, progressSchema, usageReportSchema } from './wireSchemas.js';

// Every message of the live streams — the WebSocket (SPEC §4) and Server-Sent Events (SPEC §8, the same JSON as each
// frame's `data`) — as zod schemas: the OpenAPI document carries them as JSON Schema (`ServerMessage`,
// `ClientMessage`), `messageSchemas.test-d.ts` holds them equal to core's `ServerMessage` and `ClientMessage` types,
// and the drift test parses real frames with them.

const coverStatusSchema = z.enum(['not_started', 'pending', 'generating', 'success', 'failed']);
const pauseReasonSchema = z.enum(['user', 'budget']);

/** Fields every stored event has. */
const eventBase = { seq: z.number().int(), task_id: z.string(), user_id: z.string(), timestamp: z.string() };

/** A stored event of `type` with its payload. */
function event<Type extends string, Shape extends z.ZodRawShape>(type: Type, shape: Shape) {
  return z.strictObject({ type: z.literal(type), ...eventBase, ...shape });
}

const conceptFields = { concept_id: z.string(), concept_name: z.string(), content_type: contentKindSchema };

export const roadmapEventSchema = z.discriminatedUnion('type', [
  event('progress', {
    step: currentStepSchema,
    status: taskStatusSchema,
    message: z.string(),
    progress: progressSchema,
  }),
  event('concept_start', conceptFields),
  event('concept_complete', { ...conceptFields, progress: progressSchema }),
  event('concept_failed', { ...conceptFields, error: z.string().optional(), progress: progressSchema }),
  event('completed', {
    roadmap_id: z.string(),
    status: z.enum(['completed', 'partial_failure']),
    tutorials_count: z.number().int(),
    failed_count: z.number().int(),
    progress: progressSchema,
  }),
  event('failed', { error: z.string(), step: currentStepSchema, progress: progressSchema }),
  event('cancelled', {
    reason: z.string().nullable(),
    previous_status: taskStatusSchema,
    progress: progressSchema,
    aborted_calls: z.number().int(),
    kept_items: z.number().int(),
    usage: usageReportSchema,
  }),
  event('task_recovering', { current_step: currentStepSchema }),
  event('cover_updated', {
    roadmap_id: z.string(),
    status: coverStatusSchema,
    cover_image_url: z.string().nullable(),
  }),
  event('review_requested', { roadmap_id: z.string(), round: z.number().int() }),
  event('review_submitted', { approved: z.boolean(), feedback: z.string().nullable(), round: z.number().int() }),
  event('paused', { reason: pauseReasonSchema, previous_status: taskStatusSchema, abort_in_flight: z.boolean() }),
  event('resumed', { previous_status: taskStatusSchema }),
  event('item_regenerated', { concept_id: z.string(), content_type: contentKindSchema, version: z.number().int() }),
  event('usage_updated', { usage: usageReportSchema }),
  event('content_delta', {
    roadmap_id: z.string(),
    concept_id: z.string(),
    content_type: contentKindSchema,
    offset: z.number().int(),
    text: z.string(),
  }),
  event('deleted', { roadmap_id: z.string() }),
]);

/** Fields of every control message: the latest `seq` delivered so far. */
const controlBase = { task_id: z.string().nullable(), seq: z.number().int(), timestamp: z.string() };

export const controlMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('connected'), ...controlBase }),
  z.strictObject({ type: z.literal('pong'), ...controlBase }),
  z.strictObject({
    type: z.literal('resync'),
    ...controlBase,
    reason: z.enum(['since_before_retained_log', 'since_ahead_of_log']).optional(),
  }),
  z.strictObject({
    type: z.literal('closing'),
    ...controlBase,
    reason: z.enum([
      'task_completed',
      'task_partial_failure',
      'task_failed',
      'task_cancelled',
      'task_deleted',
      'server_shutdown',
      'token_expired',
    ]),
  }),
  z.strictObject({
    type: z.literal('current_status'),
    ...controlBase,
    task_id: z.string(),
    status: taskStatusSchema,
    current_step: currentStepSchema,
    roadmap_id: z.string(),
    progress: progressSchema,
  }),
]);

/** Anything the server sends on a live stream: a stored event or a control message. */
export const serverMessageSchema = z.union([roadmapEventSchema, controlMessageSchema]);

/** What a WebSocket client may send. */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ping') }),
  z.strictObject({ type: z.literal('get_status') }),
]);
