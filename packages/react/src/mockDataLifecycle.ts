// msw handlers for the data lifecycle stories (SPEC §9): delete a task, export a roadmap, a failed item and its retry.
// Bodies and headers as the reference server sends them.
import type { ConceptDetail } from '@roadmap/core/client';
import { delay, HttpResponse, http } from 'msw';
import { apiPath, conceptDetail, roadmap } from './mockRoadmapApi.js';

const errorBody = (status: number, code: string, detail: string) => HttpResponse.json({ detail, code }, { status });

/** `DELETE /roadmaps/tasks/{id}`: `204` after `delayMs`. */
export const deleteAccepted = ({ delayMs = 150 }: { delayMs?: number } = {}) =>
  http.delete(apiPath('/roadmaps/tasks/:taskId'), async () => {
    await delay(delayMs);
    return new HttpResponse(null, { status: 204 });
  });

/** The server refuses every delete (after a short wait): the row comes back and says why. */
export const deleteRefused = () =>
  http.delete(apiPath('/roadmaps/tasks/:taskId'), async () => {
    await delay(300);
    return errorBody(403, 'forbidden', 'This task belongs to another account.');
  });

/** A delete that never answers: the dialog stays busy. */
export const deleteHangs = () =>
  http.delete(apiPath('/roadmaps/tasks/:taskId'), async () => {
    await delay('infinite');
    return new HttpResponse(null, { status: 204 });
  });

/** The fixture roadmap as the server's Markdown export: a heading per stage, module and concept. */
export const roadmapMarkdown = [
  `# ${roadmap.title}`,
  ...roadmap.stages.flatMap((stage) => [
    `## ${stage.name}`,
    ...stage.modules.flatMap((module) => [
      `### ${module.name}`,
      ...module.concepts.map((concept) => `#### ${concept.name}`),
    ]),
  ]),
].join('\n\n');

/** `GET /roadmaps/{id}/export?format=md|json`, as an attachment named after the roadmap, after `delayMs`. */
export const exportAccepted = ({ delayMs = 100 }: { delayMs?: number } = {}) =>
  http.get(apiPath('/roadmaps/:roadmapId/export'), async ({ request, params }) => {
    const format = new URL(request.url).searchParams.get('format') ?? 'json';
    if (format !== 'md' && format !== 'json') return errorBody(400, 'invalid_input', 'format is one of md, json.');
    await delay(delayMs);
    const filename = `${String(params.roadmapId)}.${format}`;
    return new HttpResponse(format === 'md' ? roadmapMarkdown : JSON.stringify({ roadmap }, null, 2), {
      headers: {
        'content-type': format === 'md' ? 'text/markdown; charset=utf-8' : 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="${filename}"`,
      },
    });
  });

/** Every export fails with a `503`. */
export const exportFails = () =>
  http.get(apiPath('/roadmaps/:roadmapId/export'), () =>
    errorBody(503, 'storage_unavailable', 'Storage is unavailable; try again in a moment.'),
  );

/** An export that never answers: its button stays busy. */
export const exportHangs = () =>
  http.get(apiPath('/roadmaps/:roadmapId/export'), async () => {
    await delay('infinite');
    return new HttpResponse(null, { status: 204 });
  });

/** Why the fixture concept's quiz failed. */
export const quizError = 'The model answered twice with a quiz that has no correct answer.';

/**
 * The fixture concept with a failed quiz (its error in `item_errors`); `POST …/quiz/retry` answers `202` (or the
 * refusal given) and the concept then shows its quiz `pending`.
 */
export function failedQuizConcept({ refuseRetry = false }: { refuseRetry?: boolean } = {}) {
  const path = `/roadmaps/${roadmap.roadmap_id}/concepts/${conceptDetail.concept.concept_id}`;
  const failed: ConceptDetail = {
    ...conceptDetail,
    concept: { ...conceptDetail.concept, quiz_status: 'failed' },
    quiz: null,
    item_errors: { tutorial: null, resources: null, quiz: quizError },
  };
  let current = failed;
  return [
    http.get(apiPath(path), () => HttpResponse.json(current)),
    http.get(apiPath(`${path}/:kind/versions`), () => HttpResponse.json({ versions: [] })),
    http.post(apiPath(`${path}/:kind/retry`), async ({ params }) => {
      await delay(150);
      if (refuseRetry) return errorBody(400, 'item_not_retryable', 'The task is still generating this quiz.');
      current = {
        ...failed,
        concept: { ...failed.concept, quiz_status: 'pending' },
        item_errors: { tutorial: null, resources: null, quiz: null },
      };
      return HttpResponse.json(
        {
          success: true,
          concept_id: conceptDetail.concept.concept_id,
          content_type: String(params.kind),
          task_id: 'retry-task',
          message: `Retrying the ${String(params.kind)}`,
        },
        { status: 202 },
      );
    }),
  ];
}
