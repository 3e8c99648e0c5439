import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------------------
// Request: what a user asks for (SPEC §3 POST /roadmaps/generate)
// ---------------------------------------------------------------------------------------------------------------

export const currentLevelSchema = z.enum(['beginner', 'intermediate', 'advanced']);
export type CurrentLevel = z.infer<typeof currentLevelSchema>;

/** A learner's preferences: the input of a roadmap. Unknown keys are stripped, never trusted. */
export const preferencesSchema = z.object({
  learning_goal: z.string().trim().min(3).max(500),
  available_hours_per_week: z.number().int().min(1).max(168).default(10),
  current_level: currentLevelSchema.default('beginner'),
  motivation: z.string().max(1000).optional(),
  career_background: z.string().max(1000).optional(),
  content_preference: z.array(z.string().max(100)).max(20).optional(),
  primary_language: z.string().max(50).optional(),
  secondary_language: z.string().max(50).optional(),
});
export type Preferences = z.infer<typeof preferencesSchema>;
export type PreferencesInput = z.input<typeof preferencesSchema>;

export const generateRequestSchema = z.object({
  preferences: preferencesSchema,
  additional_context: z.string().max(5000).optional(),
  /**
   * Stop after structure validation for the user to approve the proposed framework (or ask for changes) before any
   * content is generated (SPEC §7).
   */
  review_before_content: z.boolean().optional(),
  /**
   * The most this task may cost, in US dollars (SPEC §7 budgets): a model call that could take it past this is not
   * made, and the task pauses (`pause_reason: "budget"`) until the budget is raised. Omit for none.
   */
  budget_usd: z.number().positive().max(1_000_000).optional(),
});
export type GenerateRequest = z.infer<typeof generateRequestSchema>;
export type GenerateRequestInput = z.input<typeof generateRequestSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Model outputs: each pipeline step's structured result
// ---------------------------------------------------------------------------------------------------------------

export const difficultySchema = z.enum(['easy', 'medium', 'hard']);
export type Difficulty = z.infer<typeof difficultySchema>;

/** `intent_analysis` output. */
export const intentSchema = z.object({
  parsed_goal: z.string().min(1),
  key_technologies: z.array(z.string()).min(1).max(20),
  difficulty_profile: z.enum(['beginner', 'intermediate', 'advanced', 'mixed']),
  time_constraint: z.string(),
  focus_areas: z.array(z.string()).max(20),
});
export type Intent = z.infer<typeof intentSchema>;

const draftConceptSchema = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(2000),
  estimated_hours: z.number().positive().max(500),
  difficulty: difficultySchema,
  /** Names of other concepts of the same roadmap. */
  prerequisites: z.array(z.string()),
  keywords: z.array(z.string()).max(20),
});
const draftModuleSchema = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(2000),
  concepts: z.array(draftConceptSchema),
});
const draftStageSchema = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(2000),
  modules: z.array(draftModuleSchema),
});

/** `curriculum_design` and `roadmap_edit` output: stages → modules → concepts, without ids. */
export const curriculumSchema = z.object({
  title: z.string().min(1).max(200),
  stages: z.array(draftStageSchema),
  recommended_completion_weeks: z.number().int().min(1).max(520),
});
export type Curriculum = z.infer<typeof curriculumSchema>;

export const reviewIssueSchema = z.object({
  severity: z.enum(['critical', 'warning', 'suggestion']),
  location: z.string(),
  message: z.string(),
});
export type ReviewIssue = z.infer<typeof reviewIssueSchema>;

/** `structure_validation` model review (the original's five weighted dimensions). */
export const structureReviewSchema = z.object({
  is_valid: z.boolean(),
  dimension_scores: z.object({
    completeness: z.number().min(0).max(100),
    progression: z.number().min(0).max(100),
    stage_coherence: z.number().min(0).max(100),
    module_clarity: z.number().min(0).max(100),
    user_fit: z.number().min(0).max(100),
  }),
  issues: z.array(reviewIssueSchema),
});
export type StructureReview = z.infer<typeof structureReviewSchema>;

/**
 * `tutorial` output. `content` comes first: a model with structured outputs writes the properties in the schema's
 * order, so a streamed tutorial (SPEC §7) shows its Markdown from the first tokens, and writes its title and summary
 * after the text they sum up.
 */
export const tutorialSchema = z.object({
  content: z.string().min(1),
  title: z.string().min(1),
  summary: z.string().max(300),
});
export type Tutorial = z.infer<typeof tutorialSchema>;

export const resourceTypeSchema = z.enum(['article', 'video', 'book', 'course', 'documentation', 'tool']);
export const resourceSchema = z.object({
  title: z.string().min(1),
  url: z.url(),
  type: resourceTypeSchema,
  description: z.string(),
});
export type Resource = z.infer<typeof resourceSchema>;
export const resourcesSchema = z.object({ resources: z.array(resourceSchema).min(5).max(10) });
export type Resources = z.infer<typeof resourcesSchema>;

export const quizQuestionSchema = z
  .object({
    question_id: z.string().min(1),
    question_type: z.enum(['single_choice', 'multiple_choice', 'true_false']),
    question: z.string().min(1),
    options: z.array(z.string()).min(2).max(8),
    correct_answer: z.array(z.number().int().min(0)).min(1),
    explanation: z.string(),
    difficulty: difficultySchema,
  })
  .refine((question) => question.correct_answer.every((index) => index < question.options.length), {
    message: 'correct_answer must index into options',
    path: ['correct_answer'],
  });
export type QuizQuestion = z.infer<typeof quizQuestionSchema>;
export const quizSchema = z.object({ questions: z.array(quizQuestionSchema).min(5).max(8) });
export type Quiz = z.infer<typeof quizSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Stored roadmap (SPEC §2)
// ---------------------------------------------------------------------------------------------------------------

export const contentKindSchema = z.enum(['tutorial', 'resources', 'quiz']);
/** The three pieces of content generated per concept. */
export type ContentKind = z.infer<typeof contentKindSchema>;
export const contentKinds: readonly ContentKind[] = ['tutorial', 'resources', 'quiz'];

export const itemStatusSchema = z.enum(['pending', 'generating', 'completed', 'failed']);
export type ItemStatus = z.infer<typeof itemStatusSchema>;

export const conceptSchema = z.object({
  concept_id: z.string(),
  name: z.string(),
  description: z.string(),
  estimated_hours: z.number(),
  difficulty: difficultySchema,
  prerequisites: z.array(z.string()),
  keywords: z.array(z.string()),
  tutorial_status: itemStatusSchema,
  resources_status: itemStatusSchema,
  quiz_status: itemStatusSchema,
});
export type Concept = z.infer<typeof conceptSchema>;

export const moduleSchema = z.object({
  module_id: z.string(),
  name: z.string(),
  description: z.string(),
  concepts: z.array(conceptSchema),
});
export type Module = z.infer<typeof moduleSchema>;

export const stageSchema = z.object({
  stage_id: z.string(),
  name: z.string(),
  description: z.string(),
  order: z.number().int(),
  modules: z.array(moduleSchema),
});
export type Stage = z.infer<typeof stageSchema>;

export const roadmapSchema = z.object({
  roadmap_id: z.string(),
  user_id: z.string(),
  title: z.string(),
  goal: z.string(),
  stages: z.array(stageSchema),
  total_estimated_hours: z.number(),
  recommended_completion_weeks: z.number(),
  created_at: z.string(),
});
export type Roadmap = z.infer<typeof roadmapSchema>;

/** One generated piece of content as stored. */
export interface ContentItem {
  roadmap_id: string;
  concept_id: string;
  kind: ContentKind;
  status: ItemStatus;
  /** The validated model output, `null` until completed. */
  content: Tutorial | Resources | Quiz | null;
  error: string | null;
  updated_at: string;
}

/** `GET /roadmaps/{roadmap_id}/concepts/{concept_id}`: each part `null` until generated. */
export interface ConceptDetail {
  concept: Concept;
  tutorial: Tutorial | null;
  resources: Resource[] | null;
  quiz: QuizQuestion[] | null;
  /**
   * The tutorial's Markdown streamed so far while it generates (`generating`; `content_delta` events continue it),
   * or kept from a generation that was interrupted — cancelled, paused, its worker gone (`failed`: incomplete, shown
   * as such; a retry generates it again). `null` once `tutorial` is set, and when nothing streamed (SPEC §7).
   */
  partial_tutorial: PartialTutorial | null;
  /**
   * Why each item of the concept failed (the last generation's error), `null` for an item that did not fail, so a
   * learner can see it before retrying (SPEC §9). Sent by `GET /roadmaps/{roadmap_id}/concepts/{concept_id}`; absent
   * from servers older than it.
   */
  item_errors?: Record<ContentKind, string | null>;
}

/** A tutorial's text so far ({@link ConceptDetail.partial_tutorial}). */
export interface PartialTutorial {
  /** The Markdown `content` streamed so far. */
  content: string;
  /** `generating` while it streams; `failed` when its generation stopped before the end (the text is incomplete). */
  status: 'generating' | 'failed';
}

// ---------------------------------------------------------------------------------------------------------------
// Cover images (SPEC §2)
// ---------------------------------------------------------------------------------------------------------------

export const coverStatusSchema = z.enum(['not_started', 'pending', 'generating', 'success', 'failed']);
export type CoverStatus = z.infer<typeof coverStatusSchema>;

export const coverSchema = z.object({
  roadmap_id: z.string(),
  cover_image_url: z.string().nullable(),
  status: coverStatusSchema,
  error: z.string().nullable(),
  retry_count: z.number().int().min(0),
});
export type Cover = z.infer<typeof coverSchema>;
