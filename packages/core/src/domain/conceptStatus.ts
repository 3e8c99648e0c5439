import { type ContentItem, contentKinds, type Roadmap } from './schemas.js';

/** What concept statuses are derived from: an item's concept, kind and status (a whole `ContentItem` will do). */
export type ItemStatusEntry = Pick<ContentItem, 'concept_id' | 'kind' | 'status'>;

/**
 * Sets each concept's `tutorial_status`, `resources_status` and `quiz_status` from its content items: the status
 * of the item of that concept and kind, `pending` where there is none. A roadmap's concept statuses are never
 * stored; storages keep the framework and the items, and derive the statuses with this when they read a roadmap.
 * Changes `roadmap` in place (pass a copy) and returns it.
 */
export function withConceptStatuses(roadmap: Roadmap, items: Iterable<ItemStatusEntry>): Roadmap {
  const statuses = new Map<string, ItemStatusEntry['status']>();
  for (const item of items) statuses.set(`${item.concept_id}\u0000${item.kind}`, item.status);
  for (const stage of roadmap.stages) {
    for (const module of stage.modules) {
      for (const concept of module.concepts) {
        for (const kind of contentKinds) {
          concept[`${kind}_status`] = statuses.get(`${concept.concept_id}\u0000${kind}`) ?? 'pending';
        }
      }
    }
  }
  return roadmap;
}
