import type { ConceptDetail, Cover, Roadmap } from './schemas.js';
import type { Task } from './task.js';
import type { UsageResponse } from './wire.js';

// What an export holds (SPEC §9): shared by the engine, which makes them, and the client, which downloads them.

/** The formats of `GET /roadmaps/{roadmap_id}/export` (SPEC §9). */
export const roadmapExportFormats = ['md', 'json'] as const;
export type RoadmapExportFormat = (typeof roadmapExportFormats)[number];

/** A roadmap with everything generated for it, as `exportRoadmap` and `exportUser` give it. */
export interface RoadmapExport {
  roadmap: Roadmap;
  /** Every concept in roadmap order with its generated items (`null` where none is stored yet). */
  concepts: ConceptDetail[];
  /** The cover: its status and URL (the image itself stays in the blob store). */
  cover: Cover;
}

/** `engine.exportRoadmap`: a document ready to download. */
export interface ExportedDocument {
  /** A file name for `Content-Disposition`: the roadmap id and the format's extension. */
  filename: string;
  /** `text/markdown; charset=utf-8` or `application/json; charset=utf-8`. */
  contentType: string;
  /** The document. */
  body: string;
}

/** `GET /me/export`, `engine.exportUser`: everything stored for one user (SPEC §9, data portability). */
export interface UserExport {
  user_id: string;
  exported_at: string;
  /** Every task of the user, newest first, with its usage. */
  tasks: Task[];
  /** Every roadmap of the user, newest first, with its content and cover. */
  roadmaps: RoadmapExport[];
  /** Use of the current budget period. */
  usage: UsageResponse;
}
