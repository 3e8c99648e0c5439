import {
  type ExportedDocument,
  type RoadmapExport,
  type RoadmapExportFormat,
  roadmapExportFormats,
} from '../domain/dataExport.js';
import { roadmapToMarkdown } from '../domain/roadmapMarkdown.js';
import type { Concept, ConceptDetail, ContentItem, Quiz, Resources, Roadmap, Tutorial } from '../domain/schemas.js';
import { RoadmapError } from '../shared/errors.js';

/** The concepts of a roadmap in its order: stage by stage, module by module. */
export function conceptsOf(roadmap: Roadmap): Concept[] {
  return roadmap.stages.flatMap((stage) => stage.modules.flatMap((module) => module.concepts));
}

/**
 * One concept's generated items, from the items of its roadmap: what is `completed`, `null` for the rest. The text
 * of a tutorial still streaming is not content yet: `partial_tutorial` stays `null` here.
 */
export function conceptDetailFrom(concept: Concept, items: readonly ContentItem[]): ConceptDetail {
  const content = (kind: ContentItem['kind']) =>
    items.find((item) => item.concept_id === concept.concept_id && item.kind === kind && item.status === 'completed')
      ?.content ?? null;
  return {
    concept,
    tutorial: content('tutorial') as Tutorial | null,
    resources: (content('resources') as Resources | null)?.resources ?? null,
    quiz: (content('quiz') as Quiz | null)?.questions ?? null,
    partial_tutorial: null,
  };
}

/** A roadmap's export as a document in `format`. */
export function exportDocument(data: RoadmapExport, format: RoadmapExportFormat): ExportedDocument {
  if (!roadmapExportFormats.includes(format)) {
    throw new RoadmapError('invalid_input', `format is one of ${roadmapExportFormats.join(', ')}.`, {
      errors: [{ path: 'format', message: `must be one of ${roadmapExportFormats.join(', ')}` }],
    });
  }
  if (format === 'json') {
    return {
      filename: `${data.roadmap.roadmap_id}.json`,
      contentType: 'application/json; charset=utf-8',
      body: `${JSON.stringify(data, null, 2)}\n`,
    };
  }
  const details = new Map(data.concepts.map((detail) => [detail.concept.concept_id, detail]));
  return {
    filename: `${data.roadmap.roadmap_id}.md`,
    contentType: 'text/markdown; charset=utf-8',
    body: roadmapToMarkdown({ roadmap: data.roadmap, details }),
  };
}
