import type { LanguageModel, ModelRequest } from '../model/languageModel.js';
import type { Storage } from '../storage/storage.js';

/** What the audit reads to know whether a call's result is stored (a separate connection, for real faults). */
export type AuditStorage = Pick<Storage, 'getTask' | 'getRoadmap' | 'getCheckpoints' | 'listItems'>;

/** A model that notes every call asking for a result storage already holds: the figure SPEC §2 wants at 0. */
export interface StoredCallAudit {
  /** The audited model: give it to the engine. */
  readonly model: LanguageModel;
  /** Calls that asked for a stored result, as `<task id> <call key>`, in order. */
  readonly repeated: readonly string[];
  /** Calls that started, for every tracked task. */
  readonly calls: number;
  /**
   * Tells the audit which task a request belongs to, by its learning goal: give every audited task its own goal.
   * Calls of untracked goals are passed through unaudited.
   */
  track(task: { taskId: string; goal: string }): void;
}

const checkpointOf: Partial<Record<ModelRequest['operation'], string>> = {
  intent_analysis: 'intent',
  curriculum_design: 'curriculum',
};

/**
 * Wraps `model` so that, before each call goes out, `storage` is asked whether its result is already stored: a
 * content item `completed`, the intent or curriculum checkpointed, or (for review and edit calls) the roadmap saved.
 * Such a call is counted in `repeated`. Read `storage` through a connection the test does not break.
 *
 * @example
 * const audit = auditStoredCalls(createScriptedModel(), auditStorage);
 * const engine = new RoadmapEngine({ storage, queue, model: audit.model });
 * const { task } = await engine.generate({ userId: 'u1', request: { preferences: { learning_goal: 'Learn Go' } } });
 * audit.track({ taskId: task.task_id, goal: 'Learn Go' });
 * // … faults, then every task terminal …
 * expect(audit.repeated).toEqual([]);
 */
export function auditStoredCalls(model: LanguageModel, storage: AuditStorage): StoredCallAudit {
  const tasksByGoal = new Map<string, string>();
  const repeated: string[] = [];
  let calls = 0;

  const isStored = async (taskId: string, request: ModelRequest): Promise<boolean> => {
    const task = await storage.getTask(taskId);
    if (!task) return false;
    const concept = request.input.concept;
    if (concept) {
      const items = await storage.listItems(task.roadmap_id, concept.concept_id);
      return items.some((item) => item.kind === request.operation && item.status === 'completed');
    }
    if ((await storage.getRoadmap(task.roadmap_id)) !== null) return true;
    const checkpoint = checkpointOf[request.operation];
    return checkpoint !== undefined && checkpoint in (await storage.getCheckpoints(taskId));
  };

  const audited: LanguageModel = {
    specificationVersion: model.specificationVersion,
    provider: model.provider,
    modelId: model.modelId,
    async generate(request) {
      const taskId = tasksByGoal.get(request.input.preferences.learning_goal);
      if (taskId !== undefined) {
        calls += 1;
        if (await isStored(taskId, request)) repeated.push(`${taskId} ${request.key}`);
      }
      return model.generate(request);
    },
  };

  return {
    model: audited,
    repeated,
    get calls() {
      return calls;
    },
    track(task) {
      tasksByGoal.set(task.goal, task.taskId);
    },
  };
}
