// Fixtures and msw handlers for the stories and their portable tests. Every body is shaped as the reference
// server's (SPEC §3), every WebSocket message as its streams' (SPEC §4), so a story shows what an app would.
import {
  defaultModelPrices,
  estimateGeneration,
  generateRequestSchema,
  plannedConcepts,
  typicalEstimateProfile,
} from '@roadmap/core';
import type {
  BatchCover,
  BatchGenerateCoversResponse,
  ConceptDetail,
  Cover,
  CurrentStep,
  GenerateRoadmapResponse,
  Progress,
  Roadmap,
  RoadmapEvent,
  RoadmapListResponse,
  RoadmapSummary,
  Task,
  TaskListResponse,
  TaskStatus,
  TaskSummary,
  UsageReport,
  UsageResponse,
} from '@roadmap/core/client';
import { delay, HttpResponse, http, ws } from 'msw';

/** Handlers match any origin: Storybook serves the page, tests run on jsdom's `http://localhost:3000`. */
export const apiPath = (path: string) => `*/api/v1${path}`;

const userId = 'user-storybook';
const startOfDay = Date.UTC(2026, 0, 15, 9, 0, 0);
/** A fixed time, `minutes` after 09:00 UTC on 15 January 2026: stories look the same on every run. */
export const at = (minutes: number) => new Date(startOfDay + minutes * 60_000).toISOString();

export const progressOf = (completed: number, failed: number, total: number): Progress => ({
  completed,
  failed,
  total,
  percentage: total === 0 ? 0 : Math.round((100 * (completed + failed)) / total),
});

// ---------------------------------------------------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------------------------------------------------

/**
 * A task's usage as the server reports it: `calls` model calls of a model priced at $0.40 per million input tokens and
 * $1.60 per million output tokens (`priced: false`: a model without a price, so `cost_usd: null`).
 */
export function usageOf(calls: number, inputTokens: number, outputTokens: number, priced = true): UsageReport {
  return {
    calls,
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    cost_usd: priced ? Math.round(inputTokens * 400 + outputTokens * 1600) / 1e9 : null,
  };
}

function task(status: TaskStatus, fields: Partial<Task> & Pick<Task, 'task_id' | 'roadmap_id' | 'title'>): Task {
  return {
    user_id: userId,
    status,
    current_step: 'queued',
    progress: progressOf(0, 0, 0),
    error_message: null,
    failed_concepts: { count: 0, concept_ids: [] },
    cancel_reason: null,
    pause_reason: status === 'paused' ? 'user' : null,
    review_round: status === 'human_review_pending' ? 1 : 0,
    usage: usageOf(0, 0, 0),
    budget_usd: null,
    attempts: status === 'pending' ? 0 : 1,
    created_at: at(0),
    updated_at: at(0),
    completed_at: null,
    ...fields,
  };
}

/** One task in each status. */
export const tasks: Record<TaskStatus, Task> = {
  pending: task('pending', {
    task_id: '0b7e8a52-3c1d-4f6e-9a2b-1c3d5e7f9a01',
    roadmap_id: 'learn-go-concurrency-9f8e7d6c',
    title: 'Learn Go concurrency',
    created_at: at(58),
    updated_at: at(58),
  }),
  processing: task('processing', {
    task_id: '1c8f9b63-4d2e-4a7f-8b3c-2d4e6f8a0b12',
    roadmap_id: 'learn-rust-1a2b3c4d',
    title: 'Rust for backend engineers',
    current_step: 'content_generation',
    progress: progressOf(11, 1, 27),
    usage: usageOf(17, 41_300, 58_700),
    budget_usd: 0.5,
    created_at: at(40),
    updated_at: at(52),
  }),
  completed: task('completed', {
    task_id: '2d9a0c74-5e3f-4b80-9c4d-3e5f7a9b1c23',
    roadmap_id: 'typescript-for-react-developers-5e6f7a8b',
    title: 'TypeScript for React developers',
    current_step: 'completed',
    progress: progressOf(24, 0, 24),
    usage: usageOf(28, 72_600, 118_400),
    created_at: at(-120),
    updated_at: at(-95),
    completed_at: at(-95),
  }),
  failed: task('failed', {
    task_id: '3e0b1d85-6f40-4c91-8d5e-4f6a8b0c2d34',
    roadmap_id: 'machine-learning-basics-3c4d5e6f',
    title: 'Machine learning basics',
    current_step: 'failed',
    progress: progressOf(4, 14, 30),
    usage: usageOf(36, 83_100, 61_250),
    error_message: '14 of 30 content items failed (threshold 50%): the model kept returning invalid JSON.',
    failed_concepts: { count: 5, concept_ids: ['s1-m1-c2', 's1-m2-c1', 's2-m1-c1', 's2-m1-c2', 's2-m2-c1'] },
    created_at: at(-300),
    updated_at: at(-270),
    completed_at: at(-270),
  }),
  partial_failure: task('partial_failure', {
    task_id: '4f1c2e96-7051-4da2-9e6f-5a7b9c1d3e45',
    roadmap_id: 'postgres-performance-7a8b9c0d',
    title: 'PostgreSQL performance tuning',
    current_step: 'completed',
    progress: progressOf(19, 2, 21),
    usage: usageOf(27, 66_800, 104_300),
    failed_concepts: { count: 1, concept_ids: ['s2-m1-c1'] },
    created_at: at(-600),
    updated_at: at(-560),
    completed_at: at(-560),
  }),
  cancelled: task('cancelled', {
    task_id: '5a2d3fa7-8162-4eb3-8f70-6b8c0d2e4f56',
    roadmap_id: 'kubernetes-operators-2b3c4d5e',
    title: 'Kubernetes operators',
    current_step: 'cancelled',
    progress: progressOf(6, 0, 18),
    // A self-hosted model the server has no price for: tokens are counted, the cost is unknown.
    usage: usageOf(10, 18_400, 9_650, false),
    cancel_reason: 'Changed my mind about the scope',
    created_at: at(-900),
    updated_at: at(-880),
    completed_at: at(-880),
  }),
  human_review_pending: task('human_review_pending', {
    task_id: '6b3e4a08-9273-4fc4-8081-7c9d1e3f5a67',
    roadmap_id: 'system-design-interviews-4d5e6f7a',
    title: 'System design interviews',
    current_step: 'human_review',
    usage: usageOf(3, 4_200, 6_900),
    created_at: at(30),
    updated_at: at(34),
  }),
  paused: task('paused', {
    task_id: '7c4f5b19-a384-4ad5-9192-8d0e2f4a6b78',
    roadmap_id: 'data-engineering-with-spark-5e6f7a8b',
    title: 'Data engineering with Spark',
    current_step: 'content_generation',
    progress: progressOf(8, 0, 30),
    usage: usageOf(12, 30_100, 44_800),
    created_at: at(20),
    updated_at: at(26),
  }),
};

/**
 * A task paused on its own budget (SPEC §7: the next call could have passed its $0.05): not among `tasks` (one per
 * status); pass it to `taskRoutes` and `streams` with them.
 */
export const pausedOnBudgetTask: Task = task('paused', {
  task_id: '8d5a6c2a-b495-4be6-a2a3-9e1f3a5b7c89',
  roadmap_id: 'machine-learning-basics-6f7a8b9c',
  title: 'Machine learning basics',
  current_step: 'content_generation',
  progress: progressOf(11, 0, 30),
  pause_reason: 'budget',
  budget_usd: 0.05,
  usage: usageOf(17, 41_250, 20_600),
  created_at: at(12),
  updated_at: at(19),
});

export const toTaskSummary = ({ task_id, roadmap_id, title, status, current_step, progress, ...rest }: Task) =>
  ({
    task_id,
    roadmap_id,
    title,
    status,
    current_step,
    progress,
    created_at: rest.created_at,
    updated_at: rest.updated_at,
    completed_at: rest.completed_at,
    error_message: rest.error_message,
    usage: rest.usage,
  }) satisfies TaskSummary;

/** Newest first, as the server lists them. */
export const taskSummaries: TaskSummary[] = Object.values(tasks)
  .map(toTaskSummary)
  .sort((a, b) => b.created_at.localeCompare(a.created_at));

/** `GET /roadmaps/tasks`: counts cover every task of the user, `total` the ones matching the filter. */
export function taskListResponse(all: readonly TaskSummary[], status?: string | null): TaskListResponse {
  const count = (...statuses: TaskStatus[]) => all.filter((entry) => statuses.includes(entry.status)).length;
  // One status, or several separated by commas (`failed,partial_failure`), as the server reads `?status=`.
  const wanted = (status ?? '').split(',').filter(Boolean);
  const matching = wanted.length ? all.filter((entry) => wanted.includes(entry.status)) : [...all];
  return {
    tasks: matching,
    total: matching.length,
    pending_count: count('pending'),
    processing_count: count('processing'),
    completed_count: count('completed'),
    failed_count: count('failed', 'partial_failure'),
    cancelled_count: count('cancelled'),
  };
}

/** The durable event log of a task (SPEC §4): what the task stream replays for `since=0`. */
export function taskEvents(of: Task, firstSeq = 100): RoadmapEvent[] {
  const base = { task_id: of.task_id, user_id: of.user_id };
  let seq = firstSeq;
  let minute = Number.NaN;
  const stamp = () => {
    minute = Number.isNaN(minute) ? 0 : minute + 1;
    return { ...base, seq: seq++, timestamp: new Date(Date.parse(of.created_at) + minute * 60_000).toISOString() };
  };
  const step = (name: CurrentStep, status: TaskStatus, message: string, total = 0): RoadmapEvent => ({
    ...stamp(),
    type: 'progress',
    step: name,
    status,
    message,
    progress: progressOf(0, 0, total),
  });
  const events: RoadmapEvent[] = [step('queued', 'pending', 'Queued')];
  if (of.status === 'pending' || (of.status === 'cancelled' && of.progress.total === 0)) return events;
  events.push(
    step('intent_analysis', 'processing', 'Analysing your goal'),
    step('curriculum_design', 'processing', 'Designing the curriculum'),
    step('structure_validation', 'processing', 'Checking the structure'),
  );
  // The task's usage so far (the server sends it about once a second while calls report usage): the last one is the
  // task's `usage`, so the replay leaves the task as `GET` answered it.
  const usageUpdated = (usage: UsageReport): RoadmapEvent => ({ ...stamp(), type: 'usage_updated', usage });
  if (of.status === 'human_review_pending') {
    events.push(usageUpdated(of.usage), {
      ...stamp(),
      type: 'review_requested',
      roadmap_id: of.roadmap_id,
      round: of.review_round,
    });
    return events;
  }
  events.push(usageUpdated(usageOf(3, 3_900, 6_100, of.usage.cost_usd !== null)));
  events.push(
    step('content_generation', 'processing', 'Generating content', of.progress.total),
    { ...stamp(), type: 'concept_start', concept_id: 's1-m1-c1', concept_name: 'Ownership', content_type: 'tutorial' },
    {
      ...stamp(),
      type: 'concept_complete',
      concept_id: 's1-m1-c1',
      concept_name: 'Ownership',
      content_type: 'tutorial',
      progress: progressOf(1, 0, of.progress.total),
    },
  );
  if (of.progress.failed > 0) {
    events.push({
      ...stamp(),
      type: 'concept_failed',
      concept_id: 's1-m1-c2',
      concept_name: 'Borrowing and lifetimes',
      content_type: 'quiz',
      error: 'The model returned invalid JSON twice.',
      progress: progressOf(1, 1, of.progress.total),
    });
  }
  const progress = of.progress;
  events.push(usageUpdated(of.usage));
  if (of.status === 'completed' || of.status === 'partial_failure') {
    const { status } = of;
    events.push({
      ...stamp(),
      type: 'completed',
      roadmap_id: of.roadmap_id,
      status,
      tutorials_count: Math.round(progress.completed / 3),
      failed_count: progress.failed,
      progress,
    });
  } else if (of.status === 'paused') {
    events.push({
      ...stamp(),
      type: 'paused',
      reason: of.pause_reason ?? 'user',
      previous_status: 'processing',
      abort_in_flight: false,
    });
  } else if (of.status === 'failed') {
    events.push({ ...stamp(), type: 'failed', error: of.error_message ?? '', step: 'content_generation', progress });
  } else if (of.status === 'cancelled') {
    // Cancelled while a quiz was being generated: it never completed (the server puts it back to `pending`).
    events.push(
      {
        ...stamp(),
        type: 'concept_start',
        concept_id: 's1-m2-c1',
        concept_name: 'Enums and pattern matching',
        content_type: 'quiz',
      },
      {
        ...stamp(),
        type: 'cancelled',
        reason: of.cancel_reason,
        previous_status: 'processing',
        progress,
        aborted_calls: 1,
        kept_items: progress.completed,
        usage: of.usage,
      },
    );
  }
  return events;
}

// ---------------------------------------------------------------------------------------------------------------
// Roadmaps, concepts, covers
// ---------------------------------------------------------------------------------------------------------------

type ItemStatus = Roadmap['stages'][number]['modules'][number]['concepts'][number]['tutorial_status'];

const concept = (
  concept_id: string,
  name: string,
  statuses: [ItemStatus, ItemStatus, ItemStatus],
  fields: { hours?: number; difficulty?: 'easy' | 'medium' | 'hard'; prerequisites?: string[] } = {},
) => ({
  concept_id,
  name,
  description: `What ${name.toLowerCase()} is, why it matters and how to use it well.`,
  estimated_hours: fields.hours ?? 3,
  difficulty: fields.difficulty ?? 'medium',
  prerequisites: fields.prerequisites ?? [],
  keywords: name.toLowerCase().split(' '),
  tutorial_status: statuses[0],
  resources_status: statuses[1],
  quiz_status: statuses[2],
});

/** `GET /roadmaps/{roadmap_id}` of the processing task: content partly generated, one item failed. */
export const roadmap: Roadmap = {
  roadmap_id: tasks.processing.roadmap_id,
  user_id: userId,
  title: 'Rust for backend engineers',
  goal: 'Learn Rust to write fast, safe web services',
  total_estimated_hours: 26,
  recommended_completion_weeks: 3,
  created_at: tasks.processing.created_at,
  stages: [
    {
      stage_id: 's1',
      name: 'Foundations',
      description: 'The ideas that make Rust different.',
      order: 1,
      modules: [
        {
          module_id: 's1-m1',
          name: 'Memory without a garbage collector',
          description: 'Ownership, borrowing and lifetimes.',
          concepts: [
            concept('s1-m1-c1', 'Ownership', ['completed', 'completed', 'completed'], { difficulty: 'easy' }),
            concept('s1-m1-c2', 'Borrowing and lifetimes', ['completed', 'completed', 'failed'], {
              hours: 4,
              difficulty: 'hard',
              prerequisites: ['s1-m1-c1'],
            }),
          ],
        },
        {
          module_id: 's1-m2',
          name: 'Types and traits',
          description: 'Modelling data and behaviour.',
          concepts: [
            concept('s1-m2-c1', 'Enums and pattern matching', ['completed', 'generating', 'generating'], {
              difficulty: 'easy',
            }),
            concept('s1-m2-c2', 'Traits and generics', ['generating', 'pending', 'pending'], { hours: 4 }),
          ],
        },
      ],
    },
    {
      stage_id: 's2',
      name: 'Building services',
      description: 'From a single binary to a production web service.',
      order: 2,
      modules: [
        {
          module_id: 's2-m1',
          name: 'Async Rust',
          description: 'Futures, Tokio and structured concurrency.',
          concepts: [
            concept('s2-m1-c1', 'Futures and async/await', ['pending', 'pending', 'pending'], { hours: 4 }),
            concept('s2-m1-c2', 'Axum web services', ['pending', 'pending', 'pending'], {
              hours: 5,
              prerequisites: ['s2-m1-c1'],
            }),
          ],
        },
      ],
    },
  ],
};

const tutorialMarkdown = `# Ownership

Every value in Rust has exactly **one owner**. When the owner goes out of scope, the value is *dropped*.

## The three rules

1. Each value has an owner.
2. There can only be one owner at a time.
3. When the owner goes out of scope, the value is dropped.

\`\`\`rust
let first = String::from("hello");
let second = first; // \`first\` is moved: using it now is a compile error
\`\`\`

Read [the Rust book](https://doc.rust-lang.org/book/ch04-01-what-is-ownership.html) or write to
[the authors](mailto:book@rust-lang.org). A [malicious link](javascript:alert(1)) is shown as text, and
<img src=x onerror=alert(1)> stays inert text.
`;

/** `GET /roadmaps/{roadmap_id}/concepts/{concept_id}` with all three kinds generated. */
export const conceptDetail: ConceptDetail = {
  // biome-ignore lint/style/noNonNullAssertion: the fixture above has this concept.
  concept: roadmap.stages[0]!.modules[0]!.concepts[0]!,
  tutorial: {
    title: 'Ownership',
    summary: 'How Rust frees memory without a garbage collector: one owner per value, moves, and drops.',
    content: tutorialMarkdown,
  },
  resources: [
    {
      title: 'The Rust Programming Language, ch. 4',
      url: 'https://doc.rust-lang.org/book/ch04-00-understanding-ownership.html',
      type: 'book',
      description: 'The official book chapter on ownership.',
    },
    {
      title: 'Rust by Example: Ownership',
      url: 'https://doc.rust-lang.org/rust-by-example/scope/move.html',
      type: 'documentation',
      description: 'Short runnable examples of moves.',
    },
    {
      title: 'Visualizing memory layout',
      url: 'https://www.youtube.com/watch?v=rDoqT-a6UFg',
      type: 'video',
      description: 'Stack, heap and moves drawn out.',
    },
    {
      title: 'Rustlings',
      url: 'https://github.com/rust-lang/rustlings',
      type: 'tool',
      description: 'Small exercises that fail until ownership clicks.',
    },
    {
      title: 'Common Rust lifetime misconceptions',
      url: 'https://github.com/pretzelhammer/rust-blog',
      type: 'article',
      description: 'What ownership does not mean.',
    },
  ],
  quiz: [1, 2, 3, 4, 5].map((number) => ({
    question_id: `q${number}`,
    question_type: 'single_choice' as const,
    question: `Ownership question ${number}: what happens to \`first\` after \`let second = first;\`?`,
    options: ['It is copied', 'It is moved and can no longer be used', 'It is borrowed'],
    correct_answer: [1],
    explanation: '`String` is not `Copy`, so assignment moves it.',
    difficulty: 'easy' as const,
  })),
  partial_tutorial: null,
};

/** `GET /roadmaps`: one roadmap per task that got a curriculum. */
export const roadmapSummaries: RoadmapSummary[] = [
  tasks.processing,
  tasks.completed,
  tasks.partial_failure,
  tasks.failed,
].map((entry) => ({
  roadmap_id: entry.roadmap_id,
  title: entry.title,
  total_concepts: Math.round(entry.progress.total / 3),
  completed_concepts: Math.floor(entry.progress.completed / 3),
  task_id: entry.task_id,
  task_status: entry.status,
  created_at: entry.created_at,
}));

/** A 160×90 PNG gradient, served as every cover image. */
const coverPngBase64 =
  'iVBORw0KGgoAAAANSUhEUgAAAKAAAABaCAIAAACwpMoFAAAER0lEQVR42u3dd1PUQBgG8LxfbvdPFXvvYsWKDStWrFixfhYVUcSCiooFK+rnwNmbHaJymjx3ucs9M88/zDLDcm/y5LK7v7skNs39TJLEkiRJJio/a2snlkyA7byvUmf3v9tWc8HVX73w7S1uD1fa00PAJcTZoKMho2DDim/C4VvPHs7T3Wa4H4XHWeD7o7C9Y1NjK+FslOcViz0arC0EnOuviz97FLp3ss7JJcdZ1rna2tz3Jg0GNW1SXd2t4XG27tA7ufdmxoCbGmcj3ys1Drd1zA/KiTNvl1luvMjjpdl7J2O4zRpoWm6uUPwbenYa8AT4wq0R5++xWQsNLlPOWM0+P8f/NseNt+DQC88nrYSCm3b41rMQtbnum+CCCS7A0dDmxYAFFxxwAS+T5ruvggsiuECLDwELLojgAl6ILggBCy544ALtvtB9EVwwwQVa8KIQsOCCBy7Qghe7z4ILJrgABxpbEgMWXHDABdrdlrpPggvK2VO+4m1ZGrDgggAu0IJDwIILIriA5wfL3UfBBRNcoNu7IgQsuCAaesEiV7oxwQUTXKAFr3JjggsmuAAXorbafRBcEMEF2t3WpAELLgjgAl4mtYeABRc0cIEWbO3uveCCCC7g+cHaGLDgggQu0PY6905wwQQXaMHrY8CCCxK4QAve4N4KLpjgApwf2MY0YMEFAVyg22ubQsCCCxq4gJdJHW5UcEH81f/MKxs63Kjggggu4EsDN7s3ggsmuEAL3hIDFlyQwAVa5NYQsOCCBy7Q9jb3WnDBBBfgQtS2h4AFFzRwgW6v7XCvBBdEcIEWbJ2VgAUXLHCBFmydbkRwQQQX8Pxgpx8RXDDBBdreFQIWXPDABVSwJbbbvxRcMMFFzoInx9w9IWDBBQ9cZM4P/lwE2V7/QnBBBBfgB/OJdcWABRcccPG/4bbqMqnLPxdcEMEF9GFB+HVfGrDgggAuEoCTK132h4AFFzxw8e/htnoxB/yw4IIJLgws+KAfFlwwwQU40Ngh/0xwQQQX8M1ID8eABRcccIEWb90hYMEFDVygBVu3fyq4IIIL+NLAIyFgwQUPXKDbe9Q/EVwwwQXaPhYDFlyQwAVa8HH/WHDBBBfgQtROpAELLgjgAr7LzskQsOCCBi7Qgq3HDwkuiOACfn5wjx8SXBDBBTw/OOUfCS6Y4ALtfjoGLLgggQu04DN+UHDBBBdowWf9oOCCCS7AgcbOhYAFFzRwAd9l57x/KLggggv4Lju9MWDBBQdcwM8P7vUPBBdEcAEvRC/EgAUXJHCBFnzRDwgumOACLfhSGrDgggEu0OIv+wHBBRNcgKdSu+LvCy6I4AJeJl2NAQsuOOACfn5wn+8XXBDBBfz84D7fL7ggggv40sBrIWDBBQ9coO3r/p7gggku0L19IwQsuOCBC3Rv3/R3BRdMcAFeGmi3YsCCCw64gG9GetvfEVxwfvU/V2G/APj44bluA0x9AAAAAElFTkSuQmCC';

export const coverUrl = (roadmapId: string) => `/api/v1/cover-images/${roadmapId}-6f1d2c3b.png`;

export function cover(roadmapId: string, status: Cover['status'], fields: Partial<Cover> = {}): Cover {
  return {
    roadmap_id: roadmapId,
    cover_image_url: status === 'success' ? coverUrl(roadmapId) : null,
    status,
    error: status === 'failed' ? 'The image provider answered 503 three times.' : null,
    retry_count: status === 'failed' ? 3 : 0,
    ...fields,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------------------------

const errorBody = (status: number, code: string, detail: string) => HttpResponse.json({ detail, code }, { status });

/** A request that never answers: the component stays in its loading state. */
export const never = (method: 'get' | 'post', path: string) =>
  http[method](apiPath(path), async () => {
    await delay('infinite');
    return new HttpResponse(null, { status: 204 });
  });

/** A `500` with the server's error body. */
export const serverError = (method: 'get' | 'post', path: string) =>
  http[method](apiPath(path), () => errorBody(500, 'internal_error', 'Something went wrong on our side.'));

/** `GET /roadmaps/tasks` over `all`, honouring `status`, `limit` and `offset`. */
export const listTasks = (all: readonly TaskSummary[] = taskSummaries) =>
  http.get(apiPath('/roadmaps/tasks'), ({ request }) => {
    const query = new URL(request.url).searchParams;
    const page = taskListResponse(all, query.get('status'));
    const offset = Number(query.get('offset') ?? 0);
    const limit = Number(query.get('limit') ?? 50);
    return HttpResponse.json({ ...page, tasks: page.tasks.slice(offset, offset + limit) });
  });

const findTask = (taskId: unknown, known: readonly Task[]) => known.find((entry) => entry.task_id === taskId);

/** Resets of the stateful handlers below; `resetMockApi()` runs them before each story (a Storybook loader). */
const resets = new Set<() => void>();

/** Puts every stateful handler back to its fixtures: a story shows the same thing each time it is opened. */
export function resetMockApi(): void {
  for (const reset of resets) reset();
}

/**
 * `GET /roadmaps/tasks/{id}`, cancel and batch cancel (200, the tasks turn `cancelled`), retry (202, it turns `pending`) and per-item
 * retry, over a copy of the given tasks.
 */
export function taskRoutes(known: readonly Task[] = Object.values(tasks)) {
  let state = new Map<string, Task>();
  const reset = () => {
    state = new Map(known.map((entry) => [entry.task_id, entry]));
  };
  reset();
  resets.add(reset);
  const notFound = () => errorBody(404, 'not_found', 'Task not found.');
  return [
    http.get(apiPath('/roadmaps/tasks/:taskId'), ({ params }) => {
      const found = state.get(String(params.taskId));
      return found ? HttpResponse.json(found) : notFound();
    }),
    http.post(apiPath('/roadmaps/tasks/cancel'), async ({ request }) => {
      const body = (await request.json()) as { task_ids?: string[] };
      const outcome = { cancelled: [] as string[], not_cancellable: [] as string[], not_found: [] as string[] };
      await delay(150);
      for (const taskId of body.task_ids ?? []) {
        const found = state.get(taskId);
        if (!found) outcome.not_found.push(taskId);
        else if (!['pending', 'processing', 'paused', 'human_review_pending'].includes(found.status)) {
          outcome.not_cancellable.push(taskId);
        } else {
          state.set(taskId, { ...found, status: 'cancelled', current_step: 'cancelled', completed_at: at(61) });
          outcome.cancelled.push(taskId);
        }
      }
      return HttpResponse.json(outcome);
    }),
    http.post(apiPath('/roadmaps/tasks/:taskId/cancel'), async ({ params }) => {
      const found = state.get(String(params.taskId));
      if (!found) return notFound();
      if (!['pending', 'processing', 'paused', 'human_review_pending'].includes(found.status)) {
        return errorBody(
          400,
          'task_not_cancellable',
          `The task is ${found.status}: only pending or processing tasks can be cancelled.`,
        );
      }
      await delay(150);
      state.set(found.task_id, {
        ...found,
        status: 'cancelled',
        current_step: 'cancelled',
        cancel_reason: null,
        completed_at: at(61),
        updated_at: at(61),
      });
      return HttpResponse.json({
        success: true,
        task_id: found.task_id,
        message: 'Task cancelled',
        previous_status: found.status,
      });
    }),
    http.post(apiPath('/roadmaps/tasks/:taskId/pause'), async ({ params }) => {
      const found = state.get(String(params.taskId));
      if (!found) return notFound();
      if (found.status !== 'pending' && found.status !== 'processing' && found.status !== 'paused') {
        return errorBody(400, 'task_not_pausable', `A ${found.status} task cannot be paused.`);
      }
      await delay(100);
      state.set(found.task_id, { ...found, status: 'paused', pause_reason: 'user', updated_at: at(61) });
      return HttpResponse.json({ task_id: found.task_id, status: 'paused', previous_status: found.status });
    }),
    http.post(apiPath('/roadmaps/tasks/:taskId/resume'), async ({ params, request }) => {
      const found = state.get(String(params.taskId));
      if (!found) return notFound();
      if (found.status !== 'paused') return errorBody(400, 'task_not_paused', `A ${found.status} task is not paused.`);
      const text = await request.text();
      const budget = text === '' ? undefined : (JSON.parse(text) as { budget_usd?: unknown }).budget_usd;
      if (budget !== undefined && !(typeof budget === 'number' && budget > 0)) {
        return errorBody(400, 'invalid_input', 'budget_usd is a number of US dollars above 0.');
      }
      await delay(100);
      state.set(found.task_id, {
        ...found,
        status: 'pending',
        current_step: 'queued',
        pause_reason: null,
        ...(typeof budget === 'number' ? { budget_usd: budget } : {}),
      });
      return HttpResponse.json({ task_id: found.task_id, status: 'pending' }, { status: 202 });
    }),
    http.get(apiPath('/roadmaps/tasks/:taskId/review'), ({ params }) => {
      const found = state.get(String(params.taskId));
      if (!found) return notFound();
      if (found.status !== 'human_review_pending') {
        return errorBody(400, 'task_not_in_review', `A ${found.status} task is not waiting for a review.`);
      }
      return HttpResponse.json({
        task_id: found.task_id,
        round: found.review_round,
        max_rounds: 5,
        proposal: { ...roadmap, roadmap_id: found.roadmap_id, title: found.title },
      });
    }),
    http.post(apiPath('/roadmaps/tasks/:taskId/review'), async ({ params, request }) => {
      const found = state.get(String(params.taskId));
      if (!found) return notFound();
      if (found.status !== 'human_review_pending') {
        return errorBody(400, 'task_not_in_review', `A ${found.status} task is not waiting for a review.`);
      }
      const body = (await request.json()) as { approved?: boolean; feedback?: string };
      await delay(100);
      state.set(
        found.task_id,
        body.approved
          ? { ...found, status: 'processing', current_step: 'content_generation' }
          : { ...found, review_round: found.review_round + 1 },
      );
      return HttpResponse.json(
        { task_id: found.task_id, status: body.approved ? 'processing' : 'human_review_pending' },
        { status: 202 },
      );
    }),
    http.post(apiPath('/roadmaps/tasks/:taskId/retry'), ({ params }) => {
      const found = state.get(String(params.taskId));
      if (!found) return notFound();
      if (!['failed', 'partial_failure', 'cancelled'].includes(found.status)) {
        return errorBody(400, 'task_not_retryable', `The task is ${found.status}: nothing to retry.`);
      }
      const items = found.progress.total - found.progress.completed;
      state.set(found.task_id, {
        ...found,
        status: 'pending',
        current_step: 'queued',
        error_message: null,
        completed_at: null,
        updated_at: at(61),
      });
      return HttpResponse.json(
        { task_id: found.task_id, status: 'pending', items_to_retry: items, message: `Retrying ${items} items` },
        { status: 202 },
      );
    }),
    http.post(apiPath('/roadmaps/:roadmapId/concepts/:conceptId/:kind/retry'), ({ params }) =>
      HttpResponse.json(
        {
          success: true,
          concept_id: String(params.conceptId),
          content_type: String(params.kind),
          task_id: tasks.processing.task_id,
          message: `Retrying the ${String(params.kind)}`,
        },
        { status: 202 },
      ),
    ),
  ];
}

/** The server refuses every cancel: the optimistic `cancelled` must roll back and show why (after a short wait). */
export const cancelRefused = () =>
  http.post(apiPath('/roadmaps/tasks/:taskId/cancel'), async () => {
    await delay(300);
    return errorBody(400, 'task_not_cancellable', 'The task finished before the cancel arrived.');
  });

const messageOf = (type: string, taskId: string | null, seq: number, fields: object = {}) =>
  JSON.stringify({ type, task_id: taskId, seq, timestamp: at(60), ...fields });

export interface StreamOptions {
  /**
   * A running task's stream goes on with a `usage_updated` event every `liveUsageMs` (five of them, one more call and a
   * few thousand tokens each), as the server sends while calls report usage. Default: none after the replay.
   */
  liveUsageMs?: number;
}

/** Five usages after `from`, one more call each, as a running task reports them. */
export const liveUsages = (from: UsageReport): UsageReport[] =>
  [1, 2, 3, 4, 5].map((step) =>
    usageOf(
      from.calls + step,
      from.input_tokens + step * 2_600,
      from.output_tokens + step * 3_900,
      from.cost_usd !== null,
    ),
  );

/**
 * The WebSocket streams (SPEC §4). User stream: `connected`, then live events only. Task stream: `connected`,
 * `current_status`, the replay of every event after `since`, and `closing` once the task is terminal. Both answer
 * `ping` with `pong` and `get_status` with `current_status`.
 */
export function streams(known: readonly Task[] = Object.values(tasks), options: StreamOptions = {}) {
  const userStream = ws.link('*/api/v1/ws');
  const taskStream = ws.link('*/api/v1/ws/:taskId');
  return [
    userStream.addEventListener('connection', ({ client }) => {
      const since = Number(client.url.searchParams.get('since') ?? 0);
      client.send(messageOf('connected', null, since));
      client.addEventListener('message', (event) => {
        if (String(event.data).includes('"ping"')) client.send(messageOf('pong', null, since));
      });
    }),
    taskStream.addEventListener('connection', ({ client, params }) => {
      const found = findTask(params.taskId, known);
      if (!found) {
        client.close(4404, 'task not found');
        return;
      }
      const sinceParameter = client.url.searchParams.get('since');
      const log = [...taskEvents(found), ...(addedEvents.get(found.task_id) ?? [])];
      const replay = sinceParameter === null ? [] : log.filter((event) => event.seq > Number(sinceParameter));
      // Control messages carry the latest `seq` delivered so far: `since` until the replay is sent.
      let delivered = Number(sinceParameter ?? 0);
      const status = () =>
        messageOf('current_status', found.task_id, delivered, {
          status: found.status,
          current_step: found.current_step,
          roadmap_id: found.roadmap_id,
          progress: found.progress,
        });
      client.send(messageOf('connected', found.task_id, delivered));
      client.send(status());
      for (const event of replay) {
        client.send(JSON.stringify(event));
        delivered = event.seq;
      }
      client.addEventListener('message', (event) => {
        const text = String(event.data);
        if (text.includes('"ping"')) client.send(messageOf('pong', found.task_id, delivered));
        else if (text.includes('"get_status"')) client.send(status());
      });
      if (options.liveUsageMs && found.status === 'processing') {
        const usages = liveUsages(found.usage);
        const timer = setInterval(() => {
          const usage = usages.shift();
          if (usages.length === 0) clearInterval(timer);
          if (!usage) return;
          // Live events come after the replayed log (its seqs start at 100).
          delivered = Math.max(delivered, 900) + 1;
          const event = { task_id: found.task_id, user_id: found.user_id, seq: delivered, timestamp: at(61) };
          client.send(JSON.stringify({ ...event, type: 'usage_updated', usage } satisfies RoadmapEvent));
        }, options.liveUsageMs);
        client.addEventListener('close', () => clearInterval(timer));
      }
      if (found.status !== 'pending' && found.status !== 'processing') {
        // After the messages above went out (closing at once would drop them before the socket opens).
        setTimeout(() => {
          client.send(messageOf('closing', found.task_id, delivered, { reason: `task_${found.status}` }));
          setTimeout(() => client.close(1000, `task_${found.status}`), 50);
        }, 50);
      }
    }),
  ];
}

/** The roadmap of a task, its item statuses matching how far the task got. */
export function roadmapOf(of: Task): Roadmap {
  const statusFor = (current: ItemStatus, index: number): ItemStatus => {
    if (of.status === 'completed') return 'completed';
    if (of.status === 'partial_failure') return index === 4 ? 'failed' : 'completed';
    if (of.status === 'failed') return index % 2 === 0 ? 'failed' : current === 'completed' ? 'completed' : 'failed';
    if (of.status === 'cancelled') return current === 'generating' ? 'pending' : current;
    return current;
  };
  let index = 0;
  return {
    ...roadmap,
    roadmap_id: of.roadmap_id,
    title: of.title,
    created_at: of.created_at,
    stages: roadmap.stages.map((stage) => ({
      ...stage,
      modules: stage.modules.map((module) => ({
        ...module,
        concepts: module.concepts.map((entry) => ({
          ...entry,
          tutorial_status: statusFor(entry.tutorial_status, index++),
          resources_status: statusFor(entry.resources_status, index++),
          quiz_status: statusFor(entry.quiz_status, index++),
        })),
      })),
    })),
  };
}

/** `GET /roadmaps`, `GET /roadmaps/{id}` (the roadmap of every fixture task past `queued`) and the concept route. */
/**
 * Versions of the sample concept's items (SPEC §7): `regenerate` adds a version whose content says what was asked
 * (and shows it), `restore` shows an earlier one; the concept route serves the version shown.
 */
/** Events the mock API added to a task's log (a regeneration's), replayed by its stream after the usual ones. */
const addedEvents = new Map<string, RoadmapEvent[]>();

function versionRoutes() {
  type Entry = { version: number; created_at: string; feedback: string | null; content: unknown; current: boolean };
  let state = new Map<string, Entry[]>();
  const reset = () => {
    state = new Map();
    addedEvents.clear();
  };
  resets.add(reset);
  const originalOf = (kind: string) => (conceptDetail as unknown as Record<string, unknown>)[kind];
  const versionsOf = (kind: string): Entry[] => {
    let entries = state.get(kind);
    if (!entries) {
      entries = [{ version: 1, created_at: at(0), feedback: null, content: originalOf(kind), current: true }];
      state.set(kind, entries);
    }
    return entries;
  };
  const revised = (kind: string, feedback: string) => {
    const original = originalOf(kind);
    if (kind === 'tutorial') {
      const tutorial = original as { content: string };
      return { ...tutorial, content: `> Revised: ${feedback}\n\n${tutorial.content}` };
    }
    return original;
  };
  return {
    current: (kind: string) => versionsOf(kind).find((entry) => entry.current)?.content ?? originalOf(kind),
    handlers: [
      http.get(apiPath('/roadmaps/:roadmapId/concepts/:conceptId/:kind/versions'), ({ params }) =>
        HttpResponse.json({ versions: versionsOf(String(params.kind)) }),
      ),
      http.post(apiPath('/roadmaps/:roadmapId/concepts/:conceptId/:kind/regenerate'), async ({ params, request }) => {
        const kind = String(params.kind);
        const { feedback } = (await request.json()) as { feedback: string };
        const entries = versionsOf(kind);
        const version = entries.length + 1;
        for (const entry of entries) entry.current = false;
        entries.push({ version, created_at: at(61), feedback, content: revised(kind, feedback), current: true });
        const owner = tasks.completed;
        const log = addedEvents.get(owner.task_id) ?? [];
        log.push({
          type: 'item_regenerated',
          task_id: owner.task_id,
          user_id: owner.user_id,
          seq: 1000 + log.length,
          timestamp: at(61),
          concept_id: String(params.conceptId),
          content_type: kind as 'tutorial',
          version,
        });
        addedEvents.set(owner.task_id, log);
        return HttpResponse.json(
          {
            success: true,
            concept_id: String(params.conceptId),
            content_type: kind,
            task_id: tasks.completed.task_id,
            version,
            message: `Generating version ${version}`,
          },
          { status: 202 },
        );
      }),
      http.post(apiPath('/roadmaps/:roadmapId/concepts/:conceptId/:kind/versions/:version/restore'), ({ params }) => {
        const entries = versionsOf(String(params.kind));
        const version = Number(params.version);
        if (!entries.some((entry) => entry.version === version)) return errorBody(404, 'not_found', 'No such version.');
        for (const entry of entries) entry.current = entry.version === version;
        return HttpResponse.json({ concept_id: String(params.conceptId), content_type: String(params.kind), version });
      }),
    ],
  };
}

export const roadmapRoutes = (summaries: readonly RoadmapSummary[] = roadmapSummaries) => {
  const versions = versionRoutes();
  return [
    ...versions.handlers,
    http.get(apiPath('/roadmaps'), () =>
      HttpResponse.json({ roadmaps: [...summaries], next_cursor: null } satisfies RoadmapListResponse),
    ),
    http.get(apiPath('/roadmaps/:roadmapId'), ({ params }) => {
      const owner = Object.values(tasks).find((entry) => entry.roadmap_id === params.roadmapId);
      if (!owner || owner.current_step === 'queued') return errorBody(404, 'not_found', 'Roadmap not found.');
      return HttpResponse.json(owner.task_id === tasks.processing.task_id ? roadmap : roadmapOf(owner));
    }),
    http.get(apiPath('/roadmaps/:roadmapId/concepts/:conceptId'), ({ params }) => {
      const found = roadmap.stages
        .flatMap((stage) => stage.modules.flatMap((module) => module.concepts))
        .find((entry) => entry.concept_id === params.conceptId);
      if (!found) return errorBody(404, 'not_found', 'Concept not found.');
      if (found.concept_id === conceptDetail.concept.concept_id) {
        return HttpResponse.json({
          ...conceptDetail,
          tutorial: versions.current('tutorial'),
          resources: versions.current('resources'),
          quiz: versions.current('quiz'),
        } as ConceptDetail);
      }
      return HttpResponse.json({
        concept: found,
        tutorial: null,
        resources: null,
        quiz: null,
        partial_tutorial: null,
      } satisfies ConceptDetail);
    }),
  ];
};

/** Serves the cover PNG for every `/api/v1/cover-images/{file}`. */
export const coverFiles = () =>
  http.get(apiPath('/cover-images/:file'), () => {
    const bytes = Uint8Array.from(atob(coverPngBase64), (character) => character.charCodeAt(0));
    return new HttpResponse(bytes, { headers: { 'content-type': 'image/png', 'cache-control': 'no-store' } });
  });

export interface CoverBackendOptions {
  /** How long a started cover stays `generating` before it turns `success` (or `failed`). Default: 800 ms. */
  settleAfterMs?: number;
  /** What a started cover ends as. `'never'` keeps it `generating`. Default: `'success'`. */
  outcome?: 'success' | 'failed' | 'never';
}

/**
 * The cover routes over a small in-memory state: `batch-get`, `batch-generate` (only `not_started`/`failed` start),
 * single `GET`, and `generate` (202 `pending`). Started covers turn `generating`, then settle after a while.
 * `resetMockApi()` puts the covers back as given.
 */
export function coverBackend(initial: readonly Cover[], options: CoverBackendOptions = {}) {
  const { settleAfterMs = 800, outcome = 'success' } = options;
  let state = new Map<string, Cover & { startedAt?: number }>();
  const reset = () => {
    state = new Map(initial.map((entry) => [entry.roadmap_id, { ...entry }]));
  };
  reset();
  resets.add(reset);
  const current = (roadmapId: string): BatchCover => {
    const entry = state.get(roadmapId);
    if (!entry) return { roadmap_id: roadmapId, status: 'not_found', cover_image_url: null };
    if (entry.startedAt !== undefined && outcome !== 'never' && Date.now() - entry.startedAt >= settleAfterMs) {
      const settled = cover(roadmapId, outcome, outcome === 'failed' ? { retry_count: entry.retry_count + 1 } : {});
      state.set(roadmapId, settled);
      return settled;
    }
    const { startedAt: _startedAt, ...visible } = entry;
    return visible;
  };
  const start = (roadmapId: string) => {
    const entry = state.get(roadmapId);
    if (entry) state.set(roadmapId, { ...entry, status: 'generating', error: null, startedAt: Date.now() });
  };
  return [
    http.post(apiPath('/cover-images/batch-get'), async ({ request }) => {
      const { roadmap_ids } = (await request.json()) as { roadmap_ids: string[] };
      return HttpResponse.json(roadmap_ids.map(current));
    }),
    http.post(apiPath('/cover-images/batch-generate'), async ({ request }) => {
      const { roadmap_ids } = (await request.json()) as { roadmap_ids: string[] };
      const triggered = roadmap_ids.filter((id) => ['not_started', 'failed'].includes(current(id).status));
      const notFound = roadmap_ids.filter((id) => !state.has(id));
      for (const id of triggered) start(id);
      const skipped = roadmap_ids.length - triggered.length - notFound.length;
      return HttpResponse.json({
        triggered: triggered.length,
        skipped,
        roadmap_ids: triggered,
        not_found: notFound,
        message: `Triggered ${triggered.length} cover image generation tasks, skipped ${skipped} already successful`,
      } satisfies BatchGenerateCoversResponse);
    }),
    http.get(apiPath('/roadmap/:roadmapId/cover-image'), ({ params }) => {
      const found = current(String(params.roadmapId));
      return found.status === 'not_found'
        ? errorBody(404, 'not_found', 'Roadmap not found.')
        : HttpResponse.json(found);
    }),
    http.post(apiPath('/roadmap/:roadmapId/cover-image/generate'), ({ params }) => {
      const roadmapId = String(params.roadmapId);
      if (!state.has(roadmapId)) return errorBody(404, 'not_found', 'Roadmap not found.');
      start(roadmapId);
      return HttpResponse.json({ ...current(roadmapId), status: 'pending' }, { status: 202 });
    }),
    coverFiles(),
  ];
}

/**
 * `GET /usage` of the stories' user: January 2026 (a UTC month), $1.23 spent, no budget. The tokens are what $1.23
 * buys at the price of {@link usageOf}.
 */
export const usageResponse: UsageResponse = {
  period_start: '2026-01-01T00:00:00.000Z',
  period_end: '2026-02-01T00:00:00.000Z',
  spent_usd: 1.23,
  reserved_usd: 0,
  budget_usd: null,
  input_tokens: 520_000,
  output_tokens: 638_750,
  calls: 214,
};

/** `GET /usage`: {@link usageResponse} with `fields` replaced (a budget, a day period, …). */
export const usageRoute = (fields: Partial<UsageResponse> = {}) =>
  http.get(apiPath('/usage'), () => HttpResponse.json({ ...usageResponse, ...fields } satisfies UsageResponse));

/** The 400 the server gives a request body that `generateRequestSchema` refuses (SPEC §3). */
const invalidInput = (errors: { path: string; message: string }[]) =>
  HttpResponse.json({ detail: 'The request is invalid.', code: 'invalid_input', errors }, { status: 400 });

/**
 * `POST /roadmaps/estimate`, worked out as the reference server does before its model has measured anything: core's
 * `plannedConcepts` (4 stages × 2 modules × 3 concepts from 8 hours a week, 2 below; 3 stages for advanced learners
 * and under 5 hours) and `estimateGeneration` (3 framework calls, 3 per concept) with the typical tokens per call,
 * priced as gpt-4o-mini: 75 calls and about $0.0455 at 10 hours a week. `priced: false` is a model without a price
 * (`estimated_cost_usd: null`). A body `generate` would refuse gets the same 400.
 */
export const estimateRoute = ({ priced = true }: { priced?: boolean } = {}) =>
  http.post(apiPath('/roadmaps/estimate'), async ({ request }) => {
    const parsed = generateRequestSchema.safeParse(await request.json());
    if (!parsed.success)
      return invalidInput(parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
    const concepts = plannedConcepts(parsed.data.preferences);
    return HttpResponse.json(
      estimateGeneration(
        concepts,
        typicalEstimateProfile,
        defaultModelPrices,
        priced ? 'gpt-4o-mini' : 'unpriced-model',
      ),
    );
  });

/** `POST /roadmaps/generate`: 202 with a new task, or the server's 400 with field errors. */
export const generate = (answer: 'accepted' | 'invalid' = 'accepted') =>
  http.post(apiPath('/roadmaps/generate'), async () => {
    await delay(200);
    if (answer === 'invalid') {
      return invalidInput([
        { path: 'preferences.learning_goal', message: 'Too small: expected string to have >=3 characters' },
      ]);
    }
    return HttpResponse.json(
      {
        task_id: '6b3e4a08-9273-4fc4-8a81-7c9d1e3f5a67',
        roadmap_id: 'learn-rust-1a2b3c4d',
        status: 'pending',
        message: 'Roadmap generation started',
      } satisfies GenerateRoadmapResponse,
      { status: 202 },
    );
  });

/** What every story gets unless it replaces a key: the live streams, the cover files and the user's usage. */
export const defaultHandlers = {
  streams: streams(),
  coverFiles: [coverFiles()],
  usage: [usageRoute()],
  estimate: [estimateRoute()],
};

/**
 * A concept whose tutorial streams in (SPEC §7): `GET` of the concept answers the text so far as `partial_tutorial`,
 * the user's stream sends the rest as `content_delta` events (a piece every `intervalMs`, starting from what was
 * already written), then `concept_complete`, after which the concept answers its whole tutorial. Each call starts a
 * stream of its own.
 */
export function streamingConcept({ intervalMs = 150, pieces = 12 }: { intervalMs?: number; pieces?: number } = {}) {
  const source = conceptDetail.tutorial as NonNullable<ConceptDetail['tutorial']>;
  const size = Math.ceil(source.content.length / pieces);
  // A fifth is written when the page loads.
  let written = size * Math.floor(pieces / 5);
  const path = `/roadmaps/${roadmap.roadmap_id}/concepts/${conceptDetail.concept.concept_id}`;
  const userStream = ws.link('*/api/v1/ws');
  return [
    http.get(apiPath(path), () =>
      HttpResponse.json({
        ...conceptDetail,
        tutorial: written >= source.content.length ? source : null,
        partial_tutorial:
          written >= source.content.length ? null : { content: source.content.slice(0, written), status: 'generating' },
      } satisfies ConceptDetail),
    ),
    userStream.addEventListener('connection', ({ client }) => {
      let seq = 500;
      client.send(messageOf('connected', null, seq));
      const timer = setInterval(() => {
        seq += 1;
        const event = { task_id: tasks.processing.task_id, user_id: userId, timestamp: at(61), seq };
        if (written >= source.content.length) {
          clearInterval(timer);
          client.send(
            JSON.stringify({
              ...event,
              type: 'concept_complete',
              concept_id: conceptDetail.concept.concept_id,
              concept_name: conceptDetail.concept.name,
              content_type: 'tutorial',
              progress: progressOf(1, 0, 3),
            } satisfies RoadmapEvent),
          );
          return;
        }
        const offset = written;
        written = Math.min(source.content.length, written + size);
        client.send(
          JSON.stringify({
            ...event,
            type: 'content_delta',
            roadmap_id: roadmap.roadmap_id,
            concept_id: conceptDetail.concept.concept_id,
            content_type: 'tutorial',
            offset,
            text: source.content.slice(offset, written),
          } satisfies RoadmapEvent),
        );
      }, intervalMs);
      client.addEventListener('close', () => clearInterval(timer));
    }),
  ];
}
