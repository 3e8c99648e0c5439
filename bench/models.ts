import {
  type Curriculum,
  createDemoModel,
  type LanguageModel,
  type ModelOperation,
  type ModelRequest,
} from '@roadmap/core';

/** Operations of the framework steps (intent, curriculum, validation); the rest are content calls. */
export const frameworkOperations: readonly ModelOperation[] = [
  'intent_analysis',
  'curriculum_design',
  'structure_review',
  'roadmap_edit',
];

/** A curriculum of `stages × modules × concepts` built from a designed one; prerequisites only point backwards. */
export function sizedCurriculum(
  base: Curriculum,
  shape: { stages: number; modules: number; concepts: number },
): Curriculum {
  const baseConcepts = base.stages.flatMap((stage) => stage.modules.flatMap((module) => module.concepts));
  let count = 0;
  let previous: string | undefined;
  const stages = Array.from({ length: shape.stages }, (_, stageIndex) => {
    const stageSeed = base.stages[stageIndex % base.stages.length];
    return {
      name: `${stageSeed?.name ?? 'Stage'} (${stageIndex + 1})`,
      description: stageSeed?.description ?? '',
      modules: Array.from({ length: shape.modules }, (_, moduleIndex) => {
        const moduleSeed = stageSeed?.modules[moduleIndex % stageSeed.modules.length];
        return {
          name: `${moduleSeed?.name ?? 'Module'} (${stageIndex + 1}.${moduleIndex + 1})`,
          description: moduleSeed?.description ?? '',
          concepts: Array.from({ length: shape.concepts }, () => {
            const seed = baseConcepts[count % baseConcepts.length];
            count += 1;
            const name = `${seed?.name ?? 'Concept'} #${count}`;
            const prerequisites = previous === undefined ? [] : [previous];
            previous = name;
            return {
              name,
              description: seed?.description ?? '',
              estimated_hours: seed?.estimated_hours ?? 1,
              difficulty: seed?.difficulty ?? 'easy',
              prerequisites,
              keywords: seed?.keywords ?? [],
            };
          }),
        };
      }),
    };
  });
  return { ...base, stages };
}

/** One call the recording model saw (times from `performance.now()`). */
export interface ModelCall {
  operation: ModelOperation;
  goal: string;
  startedAt: number;
  settledAt?: number;
  abortedAt?: number;
  startedAborted: boolean;
  /** Resolves when the call returned or threw. */
  settled: Promise<void>;
}

export interface RecordingModelOptions {
  /** Simulated latency of the demo model behind every call that does not hang. */
  latencyMs?: number;
  /** Replace the demo curriculum with one of this shape. */
  shape?: { stages: number; modules: number; concepts: number };
  /** Content calls never answer: they only reject when their signal aborts. */
  hangContent?: boolean;
  /**
   * Answers seen before (same operation and concept) are replayed from this cache after the latency instead of
   * being built again by the demo model, so a benchmark measures the engine rather than the demo model's string
   * building. Fill it with a warm-up run.
   */
  replayCache?: Map<string, string>;
}

function replayKey(request: ModelRequest): string {
  return `${request.operation}|${request.input.concept?.name ?? ''}`;
}

/** Waits `latencyMs` on a real timer, rejecting with the signal's reason on abort. */
function wait(latencyMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, latencyMs);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The demo model behind a recorder: every call is logged; `whenInFlight` resolves once enough calls hang. */
export function createRecordingModel(options: RecordingModelOptions = {}) {
  const demo = createDemoModel({ latencyMs: options.latencyMs ?? 0 });
  const calls: ModelCall[] = [];
  const inFlight = new Map<string, number>();
  const waiters: { goal: string; count: number; resolve: () => void }[] = [];
  const change = (goal: string, delta: number) => {
    const now = (inFlight.get(goal) ?? 0) + delta;
    inFlight.set(goal, now);
    for (const waiter of [...waiters]) {
      if (waiter.goal === goal && now >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const hang = (request: ModelRequest, call: ModelCall) =>
    new Promise<never>((_, reject) => {
      const signal = request.abortSignal;
      const onAbort = () => {
        call.abortedAt = performance.now();
        reject(signal.reason);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  const model: LanguageModel = {
    specificationVersion: 'v1',
    provider: 'bench',
    modelId: 'bench-recorder',
    async generate(request) {
      const goal = request.input.preferences.learning_goal;
      let settle = () => {};
      const call: ModelCall = {
        operation: request.operation,
        goal,
        startedAt: performance.now(),
        startedAborted: request.abortSignal.aborted,
        settled: new Promise<void>((resolve) => {
          settle = resolve;
        }),
      };
      calls.push(call);
      change(goal, 1);
      try {
        const isContent = !frameworkOperations.includes(request.operation);
        if (options.hangContent && isContent) return await hang(request, call);
        const cached = options.replayCache?.get(replayKey(request));
        if (cached !== undefined) {
          await wait(options.latencyMs ?? 0, request.abortSignal);
          return { text: cached };
        }
        const result = await demo.generate(request);
        const text =
          request.operation === 'curriculum_design' && options.shape
            ? JSON.stringify(sizedCurriculum(JSON.parse(result.text) as Curriculum, options.shape))
            : result.text;
        options.replayCache?.set(replayKey(request), text);
        return { ...result, text };
      } finally {
        call.settledAt = performance.now();
        change(goal, -1);
        settle();
      }
    },
  };
  const whenInFlight = (goal: string, count: number) =>
    new Promise<void>((resolve) => {
      if ((inFlight.get(goal) ?? 0) >= count) resolve();
      else waiters.push({ goal, count, resolve });
    });
  return { model, calls, whenInFlight };
}
