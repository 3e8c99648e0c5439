import {
  type CurrentLevel,
  type Curriculum,
  curriculumSchema,
  type Difficulty,
  type Intent,
  type ReviewIssue,
  type StructureReview,
} from '../domain/schemas.js';
import type { ModelInput } from '../model/languageModel.js';
import { capitalise, keyTerms, normaliseGoal, resolveDemoTopic, subjectOf } from './demoSubject.js';
import type { DemoStageSeed, DemoTopic } from './demoTopic.js';

/** What the demo model reads from the preferences; defaults as in `preferencesSchema`. */
interface Learner {
  goal: string;
  hoursPerWeek: number;
  level: CurrentLevel;
  contentPreference: readonly string[];
}

function learnerOf(input: ModelInput): Learner {
  const preferences = input.preferences;
  return {
    goal: normaliseGoal(preferences.learning_goal),
    hoursPerWeek: Math.min(168, Math.max(1, Math.round(preferences.available_hours_per_week ?? 10))),
    level: preferences.current_level ?? 'beginner',
    contentPreference: preferences.content_preference ?? [],
  };
}

const levelPhrases: Record<CurrentLevel, string> = {
  beginner: 'from first steps to practitioner',
  intermediate: 'from practitioner to professional',
  advanced: 'advanced mastery',
};
const hoursByDifficulty: Record<Difficulty, number> = { easy: 3, medium: 5, hard: 8 };
const hoursFactorByLevel: Record<CurrentLevel, number> = { beginner: 1.5, intermediate: 1, advanced: 0.75 };
const difficulties: readonly Difficulty[] = ['easy', 'medium', 'hard'];

/**
 * The stages a learner gets, with their position among the topic's four: advanced learners skip the
 * foundations; learners with under 5 hours a week stop before the last stage.
 */
function selectStages(topic: DemoTopic, learner: Learner): { seed: DemoStageSeed; position: number }[] {
  const all = topic.stages.map((seed, position) => ({ seed, position }));
  if (learner.level === 'advanced') return all.slice(1);
  if (learner.hoursPerWeek < 5) return all.slice(0, 3);
  return all;
}

function difficultyOf(stagePosition: number, conceptIndex: number, level: CurrentLevel): Difficulty {
  const base = [0, conceptIndex === 0 ? 0 : 1, 1, 2][stagePosition] ?? 2;
  return difficulties[Math.min(2, base + (level === 'advanced' ? 1 : 0))] ?? 'hard';
}

function describeConcept(name: string, topic: DemoTopic, difficulty: Difficulty): string {
  const context = name.toLowerCase().includes(topic.name.toLowerCase()) ? '' : ` in ${topic.name}`;
  if (difficulty === 'easy') {
    return `An introduction to ${name}${context}: the core idea, a first example and a short exercise.`;
  }
  if (difficulty === 'medium') {
    return `A practical look at ${name}${context}: how it works, when to use it and common pitfalls.`;
  }
  return `An in-depth study of ${name}${context}: trade-offs, edge cases and production use.`;
}

/**
 * `curriculum_design`: 3–4 stages of 2 modules with 2–3 concepts each (3 from 8 hours a week). Every concept
 * after the first depends only on concepts listed before it, so the order is a valid study order.
 */
export function demoCurriculum(input: ModelInput): Curriculum {
  const learner = learnerOf(input);
  const topic = resolveDemoTopic(learner.goal);
  const conceptsPerModule = learner.hoursPerWeek >= 8 ? 3 : 2;
  let previousStageFirst: string | undefined;
  let totalHours = 0;
  const stages = selectStages(topic, learner).map(({ seed, position }) => {
    let stageFirst: string | undefined;
    const modules = seed.modules.map((moduleSeed) => {
      const names = moduleSeed.concepts.slice(0, conceptsPerModule);
      const concepts = names.map((name, index) => {
        const difficulty = difficultyOf(position, index, learner.level);
        const estimatedHours = Math.round(hoursByDifficulty[difficulty] * hoursFactorByLevel[learner.level] * 2) / 2;
        totalHours += estimatedHours;
        const previous = index > 0 ? names[index - 1] : (stageFirst ?? previousStageFirst);
        stageFirst ??= name;
        const terms = keyTerms(name, 3).map((term) => term.toLowerCase());
        const topicTerm = topic.id === 'generic' ? [] : [topic.name.toLowerCase()];
        return {
          name,
          description: describeConcept(name, topic, difficulty),
          estimated_hours: estimatedHours,
          difficulty,
          prerequisites: previous === undefined ? [] : [previous],
          keywords: [...new Set([...terms, ...topicTerm])],
        };
      });
      return {
        name: moduleSeed.name,
        description: `Covers ${names.join('; ')}.`,
        concepts,
      };
    });
    previousStageFirst = stageFirst;
    return { name: seed.name, description: seed.description, modules };
  });
  return {
    // Named in the goal's own words, whichever topic supplied the curriculum.
    title: `${capitalise(subjectOf(learner.goal))} roadmap: ${levelPhrases[learner.level]}`,
    stages,
    recommended_completion_weeks: Math.min(520, Math.max(1, Math.ceil(totalHours / learner.hoursPerWeek))),
  };
}

/** `intent_analysis`: the goal as understood, its technologies and the learner's constraints. */
export function demoIntent(input: ModelInput): Intent {
  const learner = learnerOf(input);
  const topic = resolveDemoTopic(learner.goal);
  const curriculum = demoCurriculum(input);
  return {
    parsed_goal: learner.goal || capitalise(topic.name),
    key_technologies: topic.technologies.slice(0, 20),
    difficulty_profile: learner.level,
    time_constraint: `${learner.hoursPerWeek} hours per week; about ${curriculum.recommended_completion_weeks} weeks`,
    focus_areas: [
      ...curriculum.stages.map((stage) => stage.name),
      ...learner.contentPreference.map((preference) => `${preference} content`),
    ].slice(0, 20),
  };
}

type Dimension = keyof StructureReview['dimension_scores'];
type LocatedIssue = ReviewIssue & { dimension: Dimension };

/** Structural problems of a curriculum: empty parts, duplicate names, unknown, forward or cyclic prerequisites. */
function findIssues(curriculum: Curriculum): LocatedIssue[] {
  const issues: LocatedIssue[] = [];
  const critical = (dimension: Dimension, location: string, message: string) =>
    issues.push({ severity: 'critical', dimension, location, message });
  const warning = (dimension: Dimension, location: string, message: string) =>
    issues.push({ severity: 'warning', dimension, location, message });
  if (curriculum.stages.length === 0) critical('completeness', 'stages', 'The curriculum has no stages.');
  const order = new Map<string, number>();
  const concepts: { location: string; name: string; prerequisites: string[] }[] = [];
  curriculum.stages.forEach((stage, stageIndex) => {
    const stageLocation = `stages[${stageIndex}]`;
    if (stage.modules.length === 0) critical('completeness', stageLocation, `Stage "${stage.name}" has no modules.`);
    stage.modules.forEach((module, moduleIndex) => {
      const moduleLocation = `${stageLocation}.modules[${moduleIndex}]`;
      if (module.concepts.length === 0) {
        critical('module_clarity', moduleLocation, `Module "${module.name}" has no concepts.`);
      }
      module.concepts.forEach((concept, conceptIndex) => {
        const location = `${moduleLocation}.concepts[${conceptIndex}]`;
        if (order.has(concept.name)) warning('module_clarity', location, `Concept "${concept.name}" appears twice.`);
        else order.set(concept.name, concepts.length);
        concepts.push({ location, name: concept.name, prerequisites: concept.prerequisites });
      });
    });
  });
  concepts.forEach(({ location, name, prerequisites }, position) => {
    for (const prerequisite of prerequisites) {
      const prerequisitePosition = order.get(prerequisite);
      if (prerequisite === name) {
        critical('progression', location, `Concept "${name}" lists itself as a prerequisite.`);
      } else if (prerequisitePosition === undefined) {
        critical('progression', location, `Prerequisite "${prerequisite}" of "${name}" is not in the roadmap.`);
      } else if (prerequisitePosition > position) {
        warning('progression', location, `Prerequisite "${prerequisite}" comes after "${name}".`);
      }
    }
  });
  const cycle = findCycle(concepts);
  if (cycle) critical('progression', 'prerequisites', `Prerequisites form a cycle: ${cycle.join(' → ')}.`);
  return issues;
}

/** A dependency cycle among concept names (self-references excluded), as a path that returns to its start. */
function findCycle(concepts: readonly { name: string; prerequisites: string[] }[]): string[] | undefined {
  const edges = new Map<string, string[]>();
  for (const concept of concepts) {
    const targets = concept.prerequisites.filter((prerequisite) => prerequisite !== concept.name);
    edges.set(concept.name, [...(edges.get(concept.name) ?? []), ...targets]);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const next of edges.get(name) ?? []) {
      const found = edges.has(next) ? visit(next) : undefined;
      if (found) return found;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of edges.keys()) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}

/** `structure_review`: valid when no critical issue is found; scores drop with every issue. */
export function demoStructureReview(input: ModelInput): StructureReview {
  const located: LocatedIssue[] = input.curriculum
    ? findIssues(input.curriculum)
    : [{ severity: 'critical', dimension: 'completeness', location: 'curriculum', message: 'No curriculum given.' }];
  const scores: StructureReview['dimension_scores'] = {
    completeness: 92,
    progression: 88,
    stage_coherence: 90,
    module_clarity: 87,
    user_fit: 85,
  };
  for (const issue of located) {
    const penalty = issue.severity === 'critical' ? 30 : issue.severity === 'warning' ? 10 : 2;
    scores[issue.dimension] = Math.max(0, scores[issue.dimension] - penalty);
  }
  return {
    is_valid: located.every((issue) => issue.severity !== 'critical'),
    dimension_scores: scores,
    issues: located.map(({ dimension: _dimension, ...issue }) => issue),
  };
}

/**
 * `roadmap_edit`: repairs `input.curriculum` (drops empty modules and stages, renames duplicate concepts, keeps
 * only prerequisites listed earlier, which also breaks cycles). A curriculum that does not match the schema, or
 * has no concept left, is replaced by a fresh design.
 */
export function demoRoadmapEdit(input: ModelInput): Curriculum {
  const designed = demoCurriculum(input);
  const parsed = curriculumSchema.safeParse(input.curriculum);
  if (!parsed.success) return designed;
  const seen = new Set<string>();
  const stages = parsed.data.stages
    .map((stage) => ({
      ...stage,
      modules: stage.modules
        .map((module) => ({
          ...module,
          concepts: module.concepts.map((concept) => {
            let name = concept.name;
            for (let copy = 2; seen.has(name); copy += 1) name = `${concept.name.slice(0, 190)} (${copy})`;
            const prerequisites = [...new Set(concept.prerequisites.filter((prerequisite) => seen.has(prerequisite)))];
            seen.add(name);
            return { ...concept, name, prerequisites };
          }),
        }))
        .filter((module) => module.concepts.length > 0),
    }))
    .filter((stage) => stage.modules.length > 0);
  if (stages.length === 0) return designed;
  // A learner's review feedback (SPEC §7) shows in the edit: the first stage says what was asked.
  const feedback = input.issues?.find((issue) => issue.location === 'roadmap')?.message;
  const [first, ...rest] = stages;
  const revised =
    feedback && first
      ? [
          {
            ...first,
            description: `Revised after your review — ${feedback.replace(/^.*asks for changes: /, '')}`.slice(0, 500),
          },
          ...rest,
        ]
      : stages;
  return { ...parsed.data, title: parsed.data.title.trim() || designed.title, stages: revised };
}
