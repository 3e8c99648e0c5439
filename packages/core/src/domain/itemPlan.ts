import { type ContentKind, contentKinds, type Roadmap } from './schemas.js';

/** One content item a roadmap calls for: a concept and a kind of content. */
export interface PlannedItem {
  conceptId: string;
  kind: ContentKind;
}

/**
 * The content items a roadmap calls for, one per concept × kind, in planned order: stages, then modules, then
 * concepts as the roadmap lists them, then `contentKinds` (`tutorial`, `resources`, `quiz`). `saveRoadmap` creates
 * the ones that do not exist yet as `pending`, after those already planned, and `listItems` returns them in this
 * order.
 */
export function planItems(roadmap: Roadmap): PlannedItem[] {
  const planned: PlannedItem[] = [];
  for (const stage of roadmap.stages) {
    for (const module of stage.modules) {
      for (const concept of module.concepts) {
        for (const kind of contentKinds) planned.push({ conceptId: concept.concept_id, kind });
      }
    }
  }
  return planned;
}
