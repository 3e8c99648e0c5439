import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  type CurrentLevel,
  type Curriculum,
  curriculumSchema,
  intentSchema,
  type Preferences,
  quizSchema,
  resourcesSchema,
  structureReviewSchema,
  tutorialSchema,
} from '../domain/schemas.js';
import type { ConceptContext, ModelInput, ModelOperation, ModelRequest } from '../model/languageModel.js';
import { isAbortError, RoadmapError } from '../shared/errors.js';
import { createManualClock } from '../testing/manualClock.js';
import { demoNotice } from './demoContent.js';
import { createDemoModel, demoResponse } from './demoModel.js';

const schemas: Record<ModelOperation, z.ZodType> = {
  intent_analysis: intentSchema,
  curriculum_design: curriculumSchema,
  structure_review: structureReviewSchema,
  roadmap_edit: curriculumSchema,
  tutorial: tutorialSchema,
  resources: resourcesSchema,
  quiz: quizSchema,
};

function preferencesFor(goal: string, hours = 10, level: CurrentLevel = 'beginner'): Preferences {
  return { learning_goal: goal, available_hours_per_week: hours, current_level: level };
}

function requestFor(operation: ModelOperation, input: ModelInput, signal?: AbortSignal): ModelRequest {
  return {
    operation,
    key: input.concept ? `${operation}:${input.concept.concept_id}` : operation,
    schemaName: operation,
    schema: schemas[operation],
    system: 'You design learning roadmaps.',
    prompt: `Prompt for ${operation}`,
    input,
    abortSignal: signal ?? new AbortController().signal,
  };
}

/** Concept contexts of a curriculum, in order, as the engine would build them. */
function conceptsOf(curriculum: Curriculum): ConceptContext[] {
  return curriculum.stages.flatMap((stage, stageIndex) =>
    stage.modules.flatMap((module, moduleIndex) =>
      module.concepts.map((concept, conceptIndex) => ({
        concept_id: `c-${stageIndex}-${moduleIndex}-${conceptIndex}`,
        name: concept.name,
        description: concept.description,
        difficulty: concept.difficulty,
        keywords: concept.keywords,
        prerequisites: concept.prerequisites,
        stage_name: stage.name,
        module_name: module.name,
        roadmap_title: curriculum.title,
      })),
    ),
  );
}

function expectPrerequisitesEarlier(curriculum: Curriculum): void {
  const earlier = new Set<string>();
  for (const concept of conceptsOf(curriculum)) {
    for (const prerequisite of concept.prerequisites) expect(earlier).toContain(prerequisite);
    expect(earlier).not.toContain(concept.name);
    earlier.add(concept.name);
  }
}

const goals = [
  'Learn Rust to build command-line tools',
  'Become a Python backend developer',
  'Build web apps with React and TypeScript',
  'Get into machine learning and deep learning',
  'Learn Go for backend services',
  'Master SQL and database design',
  'Kubernetes and DevOps for my job',
  'Data science with pandas',
  'I want to learn watercolor painting for landscapes',
  '我想学习日本料理 🍣',
  'Apprendre la pâtisserie française',
  'abc',
];

describe('demoResponse', () => {
  it.each(goals)('answers every operation with output that passes its schema: %s', (goal) => {
    for (const [hours, level] of [
      [2, 'beginner'],
      [10, 'intermediate'],
      [40, 'advanced'],
    ] as const) {
      const preferences = preferencesFor(goal, hours, level);
      const intent = demoResponse({ operation: 'intent_analysis', input: { preferences } });
      expect(intentSchema.safeParse(intent).success).toBe(true);
      const curriculum = demoResponse({ operation: 'curriculum_design', input: { preferences, intent } });
      expect(curriculumSchema.safeParse(curriculum).error).toBeUndefined();
      expectPrerequisitesEarlier(curriculum);
      const review = demoResponse({ operation: 'structure_review', input: { preferences, curriculum } });
      expect(structureReviewSchema.parse(review)).toMatchObject({ is_valid: true, issues: [] });
      const edited = demoResponse({ operation: 'roadmap_edit', input: { preferences, curriculum, issues: [] } });
      expect(curriculumSchema.safeParse(edited).success).toBe(true);
      for (const concept of conceptsOf(curriculum)) {
        const input = { preferences, concept };
        expect(tutorialSchema.safeParse(demoResponse({ operation: 'tutorial', input })).error).toBeUndefined();
        expect(resourcesSchema.safeParse(demoResponse({ operation: 'resources', input })).error).toBeUndefined();
        expect(quizSchema.safeParse(demoResponse({ operation: 'quiz', input })).error).toBeUndefined();
      }
    }
  });

  it("recognises popular topics named as a whole, titles them in the goal's words and cites their documentation", () => {
    const cases = [
      ['Learn Rust', 'Rust roadmap', 'Installing Rust with rustup', 'https://doc.rust-lang.org/book/'],
      [
        'Learn Rust for systems programming',
        'Rust for systems programming roadmap',
        'Installing Rust with rustup',
        'https://doc.rust-lang.org/book/',
      ],
      ['Frontend development', 'Frontend development roadmap', 'Semantic HTML', 'https://react.dev/learn'],
      [
        'Machine learning with Python',
        'Machine learning with Python roadmap',
        'Linear algebra essentials',
        'https://pytorch.org/tutorials/',
      ],
      ['I want to learn Go', 'Go roadmap', 'Installing Go and the go command', 'https://go.dev/tour/'],
      [
        'Docker and Kubernetes',
        'Docker and Kubernetes roadmap',
        'Linux command line',
        'https://kubernetes.io/docs/home/',
      ],
    ] as const;
    for (const [goal, title, firstConcept, url] of cases) {
      const preferences = preferencesFor(goal);
      const curriculum = demoResponse({ operation: 'curriculum_design', input: { preferences } });
      expect(curriculum.title).toBe(`${title}: from first steps to practitioner`);
      const [concept] = conceptsOf(curriculum);
      expect(concept?.name).toBe(firstConcept);
      const { resources } = demoResponse({ operation: 'resources', input: { preferences, concept } });
      expect(resources.map((resource) => resource.url)).toContain(url);
    }
  });

  it("builds a goal that narrows a known topic around its own words, with that topic's documentation", () => {
    const cases = [
      ['Learn TypeScript generics', 'TypeScript generics', 'https://react.dev/learn'],
      ['Python for automation', 'Python for automation', 'https://docs.python.org/3/tutorial/'],
      ['PostgreSQL performance', 'PostgreSQL performance', 'https://www.postgresql.org/docs/current/'],
      ['Learn React hooks in 3 months', 'React hooks', 'https://react.dev/learn'],
    ] as const;
    for (const [goal, subject, url] of cases) {
      const preferences = preferencesFor(goal);
      const curriculum = demoResponse({ operation: 'curriculum_design', input: { preferences } });
      expect(curriculum.title).toBe(`${subject} roadmap: from first steps to practitioner`);
      expect(curriculum.stages[0]?.name).toBe(`${subject} foundations`);
      const concepts = conceptsOf(curriculum);
      expect(concepts.every((concept) => concept.name.includes(subject))).toBe(true);
      const intent = demoResponse({ operation: 'intent_analysis', input: { preferences } });
      expect(intent.parsed_goal).toBe(goal);
      const [concept] = concepts;
      const tutorial = demoResponse({ operation: 'tutorial', input: { preferences, concept } });
      expect(tutorial.content).toContain(subject);
      const { resources } = demoResponse({ operation: 'resources', input: { preferences, concept } });
      const urls = resources.map((resource) => resource.url);
      expect(urls).toContain(url);
      expect(urls.some((link) => link.includes(encodeURIComponent(subject)))).toBe(true);
    }
  });

  it('builds a roadmap named after the key terms of an unknown goal', () => {
    const preferences = preferencesFor('I want to learn watercolor painting for landscapes');
    const intent = demoResponse({ operation: 'intent_analysis', input: { preferences } });
    expect(intent.key_technologies).toEqual(['watercolor', 'painting', 'landscapes']);
    const curriculum = demoResponse({ operation: 'curriculum_design', input: { preferences } });
    expect(curriculum.title).toBe('Watercolor painting for landscapes roadmap: from first steps to practitioner');
    expect(curriculum.stages[0]?.name).toBe('Watercolor painting foundations');
    expect(conceptsOf(curriculum).every((concept) => /watercolor painting/i.test(concept.name))).toBe(true);
  });

  it('scales the curriculum with the hours available and the current level', () => {
    const shape = (hours: number, level: CurrentLevel) => {
      const curriculum = demoResponse({
        operation: 'curriculum_design',
        input: { preferences: preferencesFor('Learn Rust', hours, level) },
      });
      return {
        stages: curriculum.stages.length,
        modules: curriculum.stages.map((stage) => stage.modules.length),
        concepts: conceptsOf(curriculum).length,
        firstStage: curriculum.stages[0]?.name,
        weeks: curriculum.recommended_completion_weeks,
      };
    };
    expect(shape(3, 'beginner')).toMatchObject({ stages: 3, modules: [2, 2, 2], concepts: 12 });
    expect(shape(10, 'beginner')).toMatchObject({ stages: 4, modules: [2, 2, 2, 2], concepts: 24 });
    expect(shape(10, 'advanced')).toMatchObject({
      stages: 3,
      concepts: 18,
      firstStage: 'Ownership and the type system',
    });
    expect(shape(40, 'beginner').weeks).toBeLessThan(shape(10, 'beginner').weeks);
  });

  it('marks content as demo content and writes tutorials with code, a Mermaid diagram and a short summary', () => {
    const preferences = preferencesFor('Learn Rust');
    const curriculum = demoResponse({ operation: 'curriculum_design', input: { preferences } });
    const concept = conceptsOf(curriculum)[4] as ConceptContext;
    const tutorial = demoResponse({ operation: 'tutorial', input: { preferences, concept } });
    expect(tutorial.content).toContain(demoNotice);
    expect(tutorial.content).toContain('```rust\n');
    expect(tutorial.content).toMatch(/```mermaid\nflowchart LR\n[\s\S]+?\n```/);
    expect(tutorial.content.match(/^## /gm)?.length).toBeGreaterThanOrEqual(5);
    for (const prerequisite of concept.prerequisites) expect(tutorial.content).toContain(prerequisite);
    expect(tutorial.summary.length).toBeLessThanOrEqual(300);

    const { resources } = demoResponse({ operation: 'resources', input: { preferences, concept } });
    expect(resources.length).toBeGreaterThanOrEqual(5);
    for (const resource of resources) {
      expect(resource.url).toMatch(/^https:\/\//);
      expect(resource.description).toContain('(demo)');
    }

    const { questions } = demoResponse({ operation: 'quiz', input: { preferences, concept } });
    expect(new Set(questions.map((question) => question.question_type))).toEqual(
      new Set(['single_choice', 'multiple_choice', 'true_false']),
    );
    expect(new Set(questions.map((question) => question.question_id)).size).toBe(questions.length);
    for (const question of questions) expect(question.explanation).toContain('(demo)');
  });

  it('keeps summaries within 300 characters for very long concept names', () => {
    const concept = {
      ...(conceptsOf(
        demoResponse({ operation: 'curriculum_design', input: { preferences: preferencesFor('Learn Go') } }),
      )[0] as ConceptContext),
      name: 'x'.repeat(200),
      module_name: 'y'.repeat(200),
    };
    const tutorial = demoResponse({
      operation: 'tutorial',
      input: { preferences: preferencesFor('Learn Go'), concept },
    });
    expect(tutorialSchema.safeParse(tutorial).success).toBe(true);
  });

  it('flags broken structures in review and repairs them in roadmap_edit', () => {
    const preferences = preferencesFor('Learn SQL');
    const sound = demoResponse({ operation: 'curriculum_design', input: { preferences } });
    const broken: Curriculum = structuredClone(sound);
    const [first, second] = broken.stages[0]?.modules[0]?.concepts ?? [];
    if (!first || !second) throw new Error('expected two concepts');
    first.prerequisites = [second.name, 'Quantum tunnelling'];
    broken.stages[1]?.modules.push({ name: 'Empty module', description: '', concepts: [] });

    const review = demoResponse({ operation: 'structure_review', input: { preferences, curriculum: broken } });
    expect(review.is_valid).toBe(false);
    const messages = review.issues.map((issue) => issue.message).join('\n');
    expect(messages).toContain('Quantum tunnelling');
    expect(messages).toContain('cycle');
    expect(messages).toContain('Empty module');
    expect(review.dimension_scores.progression).toBeLessThan(88);

    const edited = demoResponse({ operation: 'roadmap_edit', input: { preferences, curriculum: broken } });
    expectPrerequisitesEarlier(edited);
    expect(edited.stages[1]?.modules.map((module) => module.name)).not.toContain('Empty module');
    const reviewAfterEdit = demoResponse({ operation: 'structure_review', input: { preferences, curriculum: edited } });
    expect(reviewAfterEdit.is_valid).toBe(true);
  });

  it('refuses a content call without a concept', () => {
    const call = () => demoResponse({ operation: 'quiz', input: { preferences: preferencesFor('Learn Rust') } });
    expect(call).toThrow(RoadmapError);
    expect(call).toThrow(/input\.concept/);
  });

  it('produces a valid, acyclic roadmap and valid content for any goal, hours and level', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 3, maxLength: 80 }),
        fc.integer({ min: 1, max: 168 }),
        fc.constantFrom<CurrentLevel>('beginner', 'intermediate', 'advanced'),
        fc.nat(),
        (goal, hours, level, seed) => {
          const preferences = preferencesFor(goal, hours, level);
          const curriculum = demoResponse({ operation: 'curriculum_design', input: { preferences } });
          expect(curriculumSchema.safeParse(curriculum).error).toBeUndefined();
          expectPrerequisitesEarlier(curriculum);
          const review = demoResponse({ operation: 'structure_review', input: { preferences, curriculum } });
          expect(review.is_valid).toBe(true);
          const concepts = conceptsOf(curriculum);
          const concept = concepts[seed % concepts.length] as ConceptContext;
          for (const operation of ['tutorial', 'resources', 'quiz'] as const) {
            const output = demoResponse({ operation, input: { preferences, concept } }, { seed });
            expect(schemas[operation].safeParse(output).error).toBeUndefined();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('createDemoModel', () => {
  const preferences = preferencesFor('Learn Rust');

  it('identifies itself as the demo model', () => {
    const model = createDemoModel({ latencyMs: 0 });
    expect(model).toMatchObject({ specificationVersion: 'v1', provider: 'demo', modelId: 'roadmap-demo-1' });
  });

  it('answers with JSON text of demoResponse, byte for byte the same for the same input', async () => {
    const model = createDemoModel({ latencyMs: 0 });
    const input = { preferences };
    const first = await model.generate(requestFor('curriculum_design', input));
    const second = await createDemoModel({ latencyMs: 0 }).generate({
      ...requestFor('curriculum_design', input),
      prompt: 'other',
    });
    expect(first.text).toBe(second.text);
    expect(JSON.parse(first.text)).toEqual(demoResponse({ operation: 'curriculum_design', input }));
    expect(first.usage?.outputTokens).toBeGreaterThan(0);
  });

  it('arranges quizzes by seed, deterministically', async () => {
    const curriculum = demoResponse({ operation: 'curriculum_design', input: { preferences } });
    const texts = async (seed: number) =>
      Promise.all(
        conceptsOf(curriculum).map(
          async (concept) =>
            (await createDemoModel({ seed, latencyMs: 0 }).generate(requestFor('quiz', { preferences, concept }))).text,
        ),
      );
    expect(await texts(7)).toEqual(await texts(7));
    expect(await texts(7)).not.toEqual(await texts(8));
  });

  it('waits its latency on the injected clock', async () => {
    const clock = createManualClock();
    const model = createDemoModel({ latencyMs: 500, clock });
    let settled = false;
    const result = model.generate(requestFor('intent_analysis', { preferences })).finally(() => {
      settled = true;
    });
    await clock.advance(499);
    await Promise.resolve();
    expect(settled).toBe(false);
    await clock.advance(1);
    expect(intentSchema.safeParse(JSON.parse((await result).text)).success).toBe(true);
  });

  it('rejects with an AbortError as soon as the call is aborted during its latency', async () => {
    const model = createDemoModel({ latencyMs: 60_000 });
    const controller = new AbortController();
    const started = performance.now();
    const result = model.generate(requestFor('intent_analysis', { preferences }, controller.signal));
    setTimeout(() => controller.abort(), 5);
    const error = await result.catch((caught: unknown) => caught);
    expect(isAbortError(error)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('rejects a call whose signal is already aborted', async () => {
    const error = await createDemoModel({ latencyMs: 0 })
      .generate(requestFor('intent_analysis', { preferences }, AbortSignal.abort()))
      .catch((caught: unknown) => caught);
    expect(isAbortError(error)).toBe(true);
  });
});
