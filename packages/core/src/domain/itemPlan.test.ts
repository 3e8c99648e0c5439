import { describe, expect, it } from 'vitest';
import { makeConcept, makeRoadmap } from '../testing/storage/fixtures.js';
import { planItems } from './itemPlan.js';

describe('planItems', () => {
  it('plans one item per concept × kind: stages, modules and concepts in order, then tutorial, resources, quiz', () => {
    const roadmap = makeRoadmap({}, { stages: 2, modulesPerStage: 2, conceptsPerModule: 1 });
    expect(planItems(roadmap).map((item) => `${item.conceptId}/${item.kind}`)).toEqual([
      'concept-1/tutorial',
      'concept-1/resources',
      'concept-1/quiz',
      'concept-2/tutorial',
      'concept-2/resources',
      'concept-2/quiz',
      'concept-3/tutorial',
      'concept-3/resources',
      'concept-3/quiz',
      'concept-4/tutorial',
      'concept-4/resources',
      'concept-4/quiz',
    ]);
  });

  it('follows the order the roadmap lists its concepts in, not their ids', () => {
    const roadmap = makeRoadmap({}, { stages: 1, conceptsPerModule: 0 });
    roadmap.stages[0]?.modules[0]?.concepts.push(makeConcept('zeta'), makeConcept('alpha'));
    expect(planItems(roadmap).map((item) => item.conceptId)).toEqual([
      'zeta',
      'zeta',
      'zeta',
      'alpha',
      'alpha',
      'alpha',
    ]);
  });

  it('plans nothing for a roadmap without concepts', () => {
    expect(planItems(makeRoadmap({}, { stages: 2, conceptsPerModule: 0 }))).toEqual([]);
    expect(planItems(makeRoadmap({ stages: [] }))).toEqual([]);
  });
});
