import type { ConceptContext, ModelInput, ModelOperation } from './languageModel.js';

const role =
  'You are an expert curriculum designer building personalised learning roadmaps. Answer with JSON only, ' +
  'matching the given schema exactly.';

const instructions: Record<ModelOperation, string> = {
  intent_analysis:
    'Analyse the learner. Extract the parsed goal, key technologies, difficulty profile, time constraint and focus areas.',
  curriculum_design:
    'Design a roadmap of 3 to 5 stages; each stage has modules and each module has concepts. Order concepts so ' +
    'prerequisites come first; prerequisites name earlier concepts exactly. Fit the weekly hours and level.',
  structure_review:
    'Review the roadmap on completeness (0.30), progression (0.25), stage coherence (0.20), module clarity (0.15) ' +
    'and user fit (0.10). Any critical issue makes it invalid.',
  roadmap_edit:
    'Revise the roadmap to fix every listed issue while keeping what is sound. Return the whole revised roadmap.',
  tutorial:
    'Write a tutorial for the concept in Markdown with sections, examples, a code block where it helps and a ' +
    'Mermaid diagram where it clarifies structure. The summary has at most 300 characters.',
  resources:
    'Recommend 5 to 10 high-quality learning resources (articles, videos, books, courses, documentation, tools).',
  quiz: 'Write 5 to 8 quiz questions (single_choice, multiple_choice, true_false) with explanations.',
};

/** The learner block is the same for every call of a task: built once per preferences object. */
const learnerCache = new WeakMap<object, string>();

function learner(input: ModelInput): string {
  const cached = input.additional_context === undefined ? learnerCache.get(input.preferences) : undefined;
  if (cached !== undefined) return cached;
  const text = describeLearner(input);
  if (input.additional_context === undefined) learnerCache.set(input.preferences, text);
  return text;
}

function describeLearner(input: ModelInput): string {
  const preferences = input.preferences;
  const lines = [
    `Goal: ${preferences.learning_goal}`,
    `Current level: ${preferences.current_level}`,
    `Hours per week: ${preferences.available_hours_per_week}`,
  ];
  if (preferences.motivation) lines.push(`Motivation: ${preferences.motivation}`);
  if (preferences.career_background) lines.push(`Background: ${preferences.career_background}`);
  if (preferences.content_preference?.length) lines.push(`Prefers: ${preferences.content_preference.join(', ')}`);
  if (preferences.primary_language) lines.push(`Write in: ${preferences.primary_language}`);
  if (input.additional_context) lines.push(`Context: ${input.additional_context}`);
  return lines.join('\n');
}

function conceptBlock(concept: ConceptContext): string {
  return [
    `Roadmap: ${concept.roadmap_title}`,
    `Stage: ${concept.stage_name} / Module: ${concept.module_name}`,
    `Concept: ${concept.name} (${concept.difficulty})`,
    `Description: ${concept.description}`,
    concept.keywords.length > 0 ? `Keywords: ${concept.keywords.join(', ')}` : '',
    concept.prerequisites.length > 0 ? `Builds on: ${concept.prerequisites.join(', ')}` : '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/** System and user prompt of a call; JSON parts are the step's inputs. */
export function buildPrompt(operation: ModelOperation, input: ModelInput): { system: string; prompt: string } {
  const parts = [instructions[operation], '', learner(input)];
  if (input.intent) parts.push('', `Intent: ${JSON.stringify(input.intent)}`);
  if (input.curriculum) parts.push('', `Roadmap: ${JSON.stringify(input.curriculum)}`);
  if (input.issues && input.issues.length > 0) parts.push('', `Issues: ${JSON.stringify(input.issues)}`);
  if (input.concept) parts.push('', conceptBlock(input.concept));
  if (input.revision) {
    parts.push(
      '',
      `Previous version: ${JSON.stringify(input.revision.previous)}`,
      `Feedback: ${input.revision.feedback}`,
      'Write it again, applying the feedback; keep what the feedback does not ask to change.',
    );
  }
  return { system: role, prompt: parts.join('\n') };
}
