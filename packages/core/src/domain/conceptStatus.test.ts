import { describe, expect, it } from 'vitest';
import { makeRoadmap } from '../testing/storage/fixtures.js';
import { withConceptStatuses } from './conceptStatus.js';
import type { Concept, Roadmap } from './schemas.js';

const statuses = (roadmap: Roadmap) =>
  roadmap.stages
    .flatMap((stage) => stage.modules.flatMap((module) => module.concepts))
    .map((concept: Concept) => [
      concept.concept_id,
      concept.tutorial_status,
      concept.resources_status,
      concept.quiz_status,
    ]);

describe('withConceptStatuses', () => {
  it("sets each concept's statuses from the item of that concept and kind", () => {
    const roadmap = makeRoadmap({}, { stages: 1, conceptsPerModule: 2 });
    const derived = withConceptStatuses(roadmap, [
      { concept_id: 'concept-1', kind: 'tutorial', status: 'completed' },
      { concept_id: 'concept-1', kind: 'resources', status: 'generating' },
      { concept_id: 'concept-1', kind: 'quiz', status: 'failed' },
      { concept_id: 'concept-2', kind: 'quiz', status: 'completed' },
    ]);
    expect(statuses(derived)).toEqual([
      ['concept-1', 'completed', 'generating', 'failed'],
      ['concept-2', 'pending', 'pending', 'completed'],
    ]);
  });

  it('replaces the statuses the roadmap carried: a concept without items is pending', () => {
    const roadmap = makeRoadmap({}, { stages: 1, conceptsPerModule: 1 });
    const concept = roadmap.stages[0]?.modules[0]?.concepts[0] as Concept;
    concept.tutorial_status = 'completed';
    concept.quiz_status = 'failed';
    expect(statuses(withConceptStatuses(roadmap, []))).toEqual([['concept-1', 'pending', 'pending', 'pending']]);
  });

  it('ignores items of concepts the roadmap does not have, and changes the roadmap it is given', () => {
    const roadmap = makeRoadmap({}, { stages: 1, conceptsPerModule: 1 });
    const derived = withConceptStatuses(roadmap, [{ concept_id: 'gone', kind: 'tutorial', status: 'completed' }]);
    expect(derived).toBe(roadmap);
    expect(statuses(derived)).toEqual([['concept-1', 'pending', 'pending', 'pending']]);
  });
});
