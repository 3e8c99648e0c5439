import type { z } from 'zod';
import type { NewRoadmapEvent } from '../domain/events.js';
import {
  type Concept,
  type ContentItem,
  type ContentKind,
  quizSchema,
  type Roadmap,
  resourcesSchema,
  tutorialSchema,
} from '../domain/schemas.js';
import { computeProgress, type Progress } from '../domain/task.js';
import type { ConceptContext, ModelInput } from '../model/languageModel.js';
import { buildPrompt } from '../model/prompts.js';
import { generateStructured } from '../model/structuredGeneration.js';
import { errorMessage, isAbortError, isInfrastructureFault, RoadmapError } from '../shared/errors.js';
import { yieldToEventLoop } from '../shared/yieldToEventLoop.js';
import type { ContentValue, ItemVersion, ItemWritten } from '../storage/checkpointStore.js';
import { ConceptSlots } from './conceptSlots.js';
import { ContentStream } from './contentStream.js';
import { runAbortKind } from './runAbort.js';
import { assertFenced, assertNotPaused, nowIso, type RunContext } from './runContext.js';

const schemas: Record<ContentKind, z.ZodType<ContentValue>> = {
  tutorial: tutorialSchema,
  resources: resourcesSchema,
  quiz: quizSchema,
};

/** How content generation ended: the task's terminal status and the numbers behind it. */
export interface ContentOutcome {
  status: 'completed' | 'partial_failure' | 'failed';
  progress: Progress;
  failedConcepts: { count: number; concept_ids: string[] };
  completedTutorials: number;
}

interface PlannedConcept {
  concept: Concept;
  context: ConceptContext;
  kinds: ContentKind[];
  /** Kinds whose item still holds content: asked again with feedback (SPEC §7) when a version was requested. */
  kept: Set<ContentKind>;
}

function conceptContexts(roadmap: Roadmap): Map<string, { concept: Concept; context: ConceptContext }> {
  const names = new Map<string, string>();
  for (const stage of roadmap.stages)
    for (const module of stage.modules)
      for (const concept of module.concepts) names.set(concept.concept_id, concept.name);
  const result = new Map<string, { concept: Concept; context: ConceptContext }>();
  for (const stage of roadmap.stages) {
    for (const module of stage.modules) {
      for (const concept of module.concepts) {
        result.set(concept.concept_id, {
          concept,
          context: {
            concept_id: concept.concept_id,
            name: concept.name,
            description: concept.description,
            difficulty: concept.difficulty,
            keywords: concept.keywords,
            prerequisites: concept.prerequisites.map((id) => names.get(id) ?? id),
            stage_name: stage.name,
            module_name: module.name,
            roadmap_title: roadmap.title,
          },
        });
      }
    }
  }
  return result;
}

/** Items still to generate, grouped by concept in roadmap order. `generating` means a crashed run's item. */
function plan(items: ContentItem[], concepts: ReturnType<typeof conceptContexts>): PlannedConcept[] {
  const byConcept = new Map<string, PlannedConcept>();
  for (const item of items) {
    if (item.status !== 'pending' && item.status !== 'generating') continue;
    const found = concepts.get(item.concept_id);
    if (!found) continue;
    let planned = byConcept.get(item.concept_id);
    if (!planned) {
      planned = { ...found, kinds: [], kept: new Set() };
      byConcept.set(item.concept_id, planned);
    }
    planned.kinds.push(item.kind);
    if (item.content !== null) planned.kept.add(item.kind);
  }
  return [...byConcept.values()];
}

/**
 * The version of an item requested by a regeneration (the newest, still without content) and the item's current
 * content it revises; `undefined` when none is requested (an item put back for another reason).
 */
async function requestedVersion(
  context: RunContext,
  item: { roadmapId: string; conceptId: string; kind: ContentKind },
): Promise<{ version: ItemVersion; previous: ContentValue } | undefined> {
  const versions = await context.storage.listItemVersions(item);
  const last = versions.at(-1);
  if (!last || last.content !== null) return undefined;
  const previous = [...versions].reverse().find((version) => version.content !== null)?.content;
  return previous ? { version: last, previous } : undefined;
}

/** One item under way: `called` settles when its model call ended, `stored` when its result is stored. */
interface ItemRun {
  called: Promise<void>;
  stored: Promise<void>;
}

/**
 * Runs concepts through `slots.limit` lanes. Each item is stored as soon as its own model call ends; a lane moves
 * on to the next concept once the concept's calls have answered (before the answers are parsed, see
 * `StructuredContext.slot`), while their results are still being checked and stored (at most one concept per
 * lane being stored), so that work overlaps model latency instead of adding to it. A lane holds a slot while its
 * concept's calls are under way, so an answer asked again (it did not parse) waits for a free one: never more than
 * `slots.limit` concepts call the model at once. The first error stops new starts and rejects.
 */
async function pipelinedPool(
  concepts: PlannedConcept[],
  slots: ConceptSlots,
  generate: (planned: PlannedConcept) => ItemRun[],
  onFatal: (error: unknown) => void,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    if (failure) return;
    failure = { error };
    onFatal(error);
  };
  const lane = async () => {
    let storing: Promise<void> = Promise.resolve();
    try {
      for (;;) {
        await slots.acquire();
        if (failure !== undefined || next >= concepts.length) {
          slots.release();
          break;
        }
        const planned = concepts[next] as PlannedConcept;
        next += 1;
        let stored: Promise<void>;
        try {
          const runs = generate(planned);
          stored = Promise.all(runs.map((run) => run.stored)).then(() => undefined);
          stored.catch(fail); // a lost lease stops the other lanes at once
          await Promise.all(runs.map((run) => run.called));
        } finally {
          slots.release();
        }
        await storing;
        storing = stored;
      }
      await storing;
    } catch (error) {
      fail(error);
    }
  };
  await Promise.all(Array.from({ length: Math.min(slots.limit, concepts.length) }, lane));
  if (failure) throw failure.error;
}

/**
 * Fan-out over concepts with bounded concurrency, the three kinds of one concept in parallel. Each finished item
 * is stored (fenced) before it counts. A failed item is recorded and the rest go on; an abort, a lost lease or an
 * infrastructure fault (a storage error, a model call that timed out on its own) stops everything. Items put back to `pending` meanwhile are picked up before finishing.
 */
export async function contentGeneration(context: RunContext, roadmap: Roadmap): Promise<ContentOutcome> {
  const { storage, fence } = context;
  const concepts = conceptContexts(roadmap);
  const base: ModelInput = {
    preferences: context.task.request.preferences,
    ...(context.task.request.additional_context ? { additional_context: context.task.request.additional_context } : {}),
  };
  let items = await storage.listItems(roadmap.roadmap_id);
  const total = items.length;
  let completed = items.filter((item) => item.status === 'completed').length;
  let failed = items.filter((item) => item.status === 'failed').length;
  const progress = () => computeProgress(completed, failed, total);

  assertNotPaused(context);
  // With the step, the title becomes the roadmap's (the goal until now).
  const adoptTitle = context.task.title !== roadmap.title;
  const entered = await storage.updateTask(fence, {
    current_step: 'content_generation',
    progress: progress(),
    updated_at: nowIso(context),
    ...(adoptTitle ? { title: roadmap.title } : {}),
  });
  assertFenced(entered, context, 'enter content_generation');
  if (adoptTitle) context.task.title = roadmap.title;
  await context.publish('progress', {
    step: 'content_generation',
    status: 'processing',
    message: `Generating content for ${concepts.size} concepts`,
    progress: progress(),
  });

  /**
   * Checks an item write that carried `event` and delivers the stored event. An adapter that answers `true` did not
   * store it (one written before item writes carried events): the event is appended on its own then.
   */
  const delivered = async (written: ItemWritten, event: NewRoadmapEvent, what: string) => {
    assertFenced(written, context, what);
    const stored = written === true ? await storage.appendEvent(event, fence) : written;
    assertFenced(stored, context, what);
    context.emit(stored as Exclude<ItemWritten, boolean>);
  };

  /**
   * Marks the item `generating`, calls the model under `slots` (a lane's slot, and a free one to ask again), and
   * stores the result (or the failure) at once.
   */
  const generateItem = (planned: PlannedConcept, kind: ContentKind, slots: ConceptSlots): ItemRun => {
    let calledResolve: () => void = () => {};
    const called = new Promise<void>((resolve) => {
      calledResolve = resolve;
    });
    const stored = (async () => {
      try {
        context.abortSignal.throwIfAborted();
        // Paused: no call starts; the lanes run through the rest without calling, and the run stops below.
        if (context.isPaused()) return;
        const item = { roadmapId: roadmap.roadmap_id, conceptId: planned.concept.concept_id, kind };
        const names = { concept_id: item.conceptId, concept_name: planned.concept.name, content_type: kind };
        // A regeneration (an item put back with its content kept): its requested version and the feedback.
        const requested = planned.kept.has(kind) ? await requestedVersion(context, item) : undefined;
        if (context.isPaused()) return;
        const input: ModelInput = {
          ...base,
          concept: planned.context,
          ...(requested
            ? { revision: { previous: requested.previous, feedback: requested.version.feedback ?? '' } }
            : {}),
        };
        const { system, prompt } = buildPrompt(kind, input);
        // A tutorial streams when the model can: its Markdown is stored and announced as it arrives.
        const stream =
          kind === 'tutorial' && context.model.stream
            ? new ContentStream(context, { roadmapId: item.roadmapId, conceptId: item.conceptId, kind })
            : null;
        const call = generateStructured(
          {
            operation: kind,
            key: `${kind}:${item.conceptId}`,
            schemaName: kind,
            schema: schemas[kind],
            system,
            prompt,
            input,
          },
          {
            model: context.model,
            clock: context.clock,
            retryPolicy: context.retryPolicy,
            abortSignal: context.abortSignal,
            slot: { answered: calledResolve, acquire: () => slots.acquire(true).then(() => () => slots.release()) },
            ...(context.onUsage ? { onUsage: context.onUsage } : {}),
            ...(stream
              ? {
                  stream: {
                    field: 'content',
                    onStart: () => stream.start(),
                    onText: (text: string) => stream.push(text),
                  },
                }
              : {}),
          },
        );
        // Awaited below, once the start is recorded: a rejection meanwhile is handled there, not an unhandled one.
        call.catch(() => undefined);
        // The call is under way (`called` settles once it answered: the slot's `answered`); record its start
        // meanwhile (the result is only stored after this), once every call that is due at this moment has started,
        // so the bookkeeping does not delay another lane's call.
        await yieldToEventLoop();
        const started = context.eventOf('concept_start', names);
        await delivered(
          await storage.setItemStatus(fence, item, 'generating', undefined, undefined, started),
          started,
          'item start',
        );
        let content: ContentValue;
        try {
          // Answered, then parsed a turn later (the lanes moved on first: the slot's `answered`).
          content = await call;
          // Every piece announced (and the partial text stored) before the whole content.
          await stream?.finish();
          // A crashed worker writes nothing more; after any other abort the fenced write decides.
          if (runAbortKind(context.abortSignal) === 'crashed') throw context.abortSignal.reason;
        } catch (error) {
          stream?.stop();
          if (isAbortError(error) || context.abortSignal.aborted) throw error;
          if (RoadmapError.isInstance(error) && error.code === 'lease_lost') throw error;
          // Not made: a budget had no room, and the run pauses (the item waits for the resume).
          if (RoadmapError.isInstance(error) && error.code === 'budget_exceeded') return;
          // Not the content's failure (a timeout, a storage error): the run stops and its task is given back.
          if (isInfrastructureFault(error)) throw error;
          const message = errorMessage(error);
          failed += 1;
          const snapshot = progress();
          const patch = { progress: snapshot, updated_at: nowIso(context) };
          const event = context.eventOf('concept_failed', { ...names, error: message, progress: snapshot });
          const written = await storage.setItemStatus(fence, item, 'failed', message, patch, event);
          await delivered(written, event, 'item failed');
          return;
        }
        completed += 1;
        const snapshot = progress();
        const patch = { progress: snapshot, updated_at: nowIso(context) };
        const event = context.eventOf('concept_complete', { ...names, progress: snapshot });
        await delivered(await storage.saveItem(fence, { ...item, content }, patch, event), event, 'save item');
        if (requested) {
          await storage.saveItemVersion({ ...requested.version, content, created_at: nowIso(context) });
          await context.publish('item_regenerated', {
            concept_id: item.conceptId,
            content_type: kind,
            version: requested.version.version,
          });
        }
      } finally {
        calledResolve();
      }
    })();
    return { called, stored };
  };

  for (;;) {
    const todo = plan(items, concepts);
    if (todo.length === 0) break;
    const slots = new ConceptSlots(context.concurrency, context.abortSignal);
    try {
      await pipelinedPool(
        todo,
        slots,
        (planned) => planned.kinds.map((kind) => generateItem(planned, kind, slots)),
        (error) => context.abortRun(error),
      );
    } finally {
      slots.close();
    }
    // The calls that were in flight at the pause are stored; the task waits for its resume.
    assertNotPaused(context);
    items = await storage.listItems(roadmap.roadmap_id);
    completed = items.filter((item) => item.status === 'completed').length;
    failed = items.filter((item) => item.status === 'failed').length;
  }

  const failedIds = [...new Set(items.filter((item) => item.status === 'failed').map((item) => item.concept_id))];
  const share = total === 0 ? 0 : failed / total;
  const status = failed === 0 ? 'completed' : share >= context.failureThreshold ? 'failed' : 'partial_failure';
  return {
    status,
    progress: progress(),
    failedConcepts: { count: failedIds.length, concept_ids: failedIds },
    completedTutorials: items.filter((item) => item.kind === 'tutorial' && item.status === 'completed').length,
  };
}
