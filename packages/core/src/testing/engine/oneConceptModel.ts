import { demoResponse } from '../../demo/demoModel.js';
import type { Curriculum, StructureReview } from '../../domain/schemas.js';
import type { ModelRequest } from '../../model/languageModel.js';

/** A roadmap of one concept: three content items, the last of which races the cancel. */
export const oneConceptCurriculum: Curriculum = {
  title: 'Race roadmap',
  recommended_completion_weeks: 1,
  stages: [
    {
      name: 'Only stage',
      description: 'One stage.',
      modules: [
        {
          name: 'Only module',
          description: 'One module.',
          concepts: [
            {
              name: 'Only concept',
              description: 'The concept whose last item races the cancel.',
              estimated_hours: 1,
              difficulty: 'easy',
              prerequisites: [],
              keywords: ['race'],
            },
          ],
        },
      ],
    },
  ],
};

export const validReview: StructureReview = {
  is_valid: true,
  dimension_scores: { completeness: 90, progression: 90, stage_coherence: 90, module_clarity: 90, user_fit: 90 },
  issues: [],
};

/** Answers like the demo model, with the one-concept curriculum and a passing review. */
export function respondWithOneConcept(request: ModelRequest): unknown {
  if (request.operation === 'curriculum_design' || request.operation === 'roadmap_edit') return oneConceptCurriculum;
  if (request.operation === 'structure_review') return validReview;
  return demoResponse(request);
}
