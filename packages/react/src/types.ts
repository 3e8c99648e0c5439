import type { Roadmap } from '@roadmap/core/client';

/** A concept of a roadmap with its three content statuses. */
export type Concept = Roadmap['stages'][number]['modules'][number]['concepts'][number];
/** `pending | generating | completed | failed`: the state of one content item. */
export type ItemStatus = Concept['tutorial_status'];
/** An item status as the components show it: `not_generated` is a `pending` or `generating` item of a task that ended. */
export type ShownItemStatus = ItemStatus | 'not_generated';
/** The color scheme of the components: `system` follows `prefers-color-scheme`. */
export type RoadmapTheme = 'light' | 'dark' | 'system';
