import { RoadmapError } from '../shared/errors.js';

/**
 * The error every storage throws when a roadmap id is already held by another task or user: ids are never merged
 * and never re-owned (SPEC §2). The engine answers it by picking a new suffix.
 */
export function roadmapIdTaken(roadmapId: string): RoadmapError {
  return new RoadmapError('roadmap_id_taken', `The roadmap id ${roadmapId} is held by another task.`);
}
