import type { RoadmapEvent, TaskListResponse, TaskSummary } from '@roadmap/core/client';
import { createElement as h } from 'react';
import { type Benchmark, round } from './support.js';

const rows = 1000;
const liveTaskIndex = 500;
const userId = 'p9-user';

// ---------------------------------------------------------------------------------------------------------------
// A browser in the bench process: jsdom globals, then React (which reads `window` once, when it loads), with a
// DevTools-style commit hook that tells which row components actually ran in each commit.
// ---------------------------------------------------------------------------------------------------------------

/** The parts of a React fiber the commit walk reads. */
interface Fiber {
  tag: number;
  flags: number;
  elementType: unknown;
  child: Fiber | null;
  sibling: Fiber | null;
  alternate: Fiber | null;
  memoizedProps: Record<string, unknown> | null;
}

/** React's `PerformedWork` flag: the component's function ran during this render (what React DevTools checks). */
const performedWork = 1;

/**
 * Components of `types` that rendered in a commit. A subtree React skipped keeps its parent's old `child` pointer, so
 * the walk stops there; a fiber that bailed out was cloned without `PerformedWork`.
 */
function renderedIn(root: { current: Fiber }, types: ReadonlySet<unknown>): string[] {
  const rendered: string[] = [];
  const visit = (fiber: Fiber) => {
    const previous = fiber.alternate;
    if (types.has(fiber.elementType) && (previous === null || (fiber.flags & performedWork) !== 0)) {
      rendered.push(String(fiber.memoizedProps?.taskId ?? (fiber.memoizedProps?.task as TaskSummary)?.task_id));
    }
    if (previous && fiber.child === previous.child) return;
    for (let child = fiber.child; child; child = child.sibling) visit(child);
  };
  visit(root.current);
  return rendered;
}

async function setUpBrowser() {
  // jsdom ships no types (and @types/jsdom is not installed): the little used here, typed by hand.
  const jsdom: string = 'jsdom';
  const { JSDOM } = (await import(jsdom)) as {
    JSDOM: new (
      html: string,
      options: { url: string; pretendToBeVisual: boolean },
    ) => { window: Window & typeof globalThis };
  };
  const dom = new JSDOM('<!doctype html><html><body></body></html>', {
    url: 'http://bench.local/',
    pretendToBeVisual: true,
  });
  const global = globalThis as Record<string, unknown>;
  const previous = new Map<string, PropertyDescriptor | undefined>();
  const define = (key: string, value: unknown) => {
    previous.set(key, Object.getOwnPropertyDescriptor(globalThis, key));
    Object.defineProperty(globalThis, key, { value, configurable: true, writable: true });
  };
  const window = dom.window as unknown as Record<string, unknown>;
  define('window', dom.window);
  define('document', dom.window.document);
  define('navigator', dom.window.navigator);
  for (const key of Object.getOwnPropertyNames(dom.window)) {
    if (/^(HTML|SVG)?[A-Z]\w*(Element|Event)$/.test(key) || key === 'Node' || key === 'getComputedStyle') {
      if (!(key in global)) define(key, window[key]);
    }
  }
  define('IS_REACT_ACT_ENVIRONMENT', true);
  let onCommit: ((root: { current: Fiber }) => void) | undefined;
  define('__REACT_DEVTOOLS_GLOBAL_HOOK__', {
    renderers: new Map(),
    supportsFiber: true,
    inject: () => 1,
    onScheduleFiberRoot() {},
    onCommitFiberRoot: (_id: number, root: { current: Fiber }) => onCommit?.(root),
    onCommitFiberUnmount() {},
    onPostCommitFiberRoot() {},
    checkDCE() {},
  });
  return {
    document: dom.window.document,
    setCommitListener(listener: typeof onCommit) {
      onCommit = listener;
    },
    close() {
      dom.window.close();
      for (const [key, descriptor] of previous) {
        if (descriptor) Object.defineProperty(globalThis, key, descriptor);
        else delete global[key];
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The server side: a fake fetch answering `GET /roadmaps/tasks`, and a fake WebSocket for the user stream.
// ---------------------------------------------------------------------------------------------------------------

const at = (index: number) => new Date(Date.UTC(2026, 0, 15) - index * 60_000).toISOString();

function makeTasks(): TaskSummary[] {
  return Array.from({ length: rows }, (_, index) => ({
    task_id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    roadmap_id: `roadmap-${index}-0a1b2c3d`,
    title: `Roadmap number ${index}`,
    status: 'processing',
    current_step: 'content_generation',
    progress: { completed: 3, failed: 0, total: 30, percentage: 10 },
    created_at: at(index),
    updated_at: at(index),
    completed_at: null,
    error_message: null,
    usage: { calls: 9, input_tokens: 7_000, output_tokens: 9_000, cost_usd: 0.0065 },
  }));
}

function listResponse(tasks: TaskSummary[]): TaskListResponse {
  return {
    tasks,
    total: tasks.length,
    pending_count: 0,
    processing_count: tasks.length,
    completed_count: 0,
    failed_count: 0,
    cancelled_count: 0,
  };
}

/** Just enough of a browser `WebSocket` for the client: opens at once, the bench pushes messages into it. */
class FakeWebSocket {
  static readonly sockets: FakeWebSocket[] = [];
  readonly url: string;
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;

  constructor(url: string) {
    this.url = url;
    FakeWebSocket.sockets.push(this);
    queueMicrotask(() => {
      this.readyState = 1;
      this.onopen?.();
      this.receive({ type: 'connected', task_id: null, seq: 0, timestamp: at(0) });
    });
  }

  receive(message: object) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  send() {}

  close() {
    this.readyState = 3;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// A list without per-row subscriptions, for comparison: `useTasks()` and a plain row per task
// ---------------------------------------------------------------------------------------------------------------

/** Set once `@roadmap/react` is loaded (after the jsdom globals exist). */
let useTasksHook: (() => { tasks: TaskSummary[] }) | undefined;

function NaiveRow({ task }: { task: TaskSummary }) {
  return h('tr', { 'data-task-id': task.task_id }, h('td', null, task.title), h('td', null, task.status));
}

function NaiveList() {
  if (!useTasksHook) throw new Error('@roadmap/react is not loaded');
  const { tasks } = useTasksHook();
  return h('table', null, h('tbody', null, ...tasks.map((task) => h(NaiveRow, { key: task.task_id, task }))));
}

// ---------------------------------------------------------------------------------------------------------------
// The measurement
// ---------------------------------------------------------------------------------------------------------------

async function measure() {
  const browser = await setUpBrowser();
  try {
    const React = await import('react');
    const { createRoot } = await import('react-dom/client');
    const { createRoadmapClient } = await import('@roadmap/core/client');
    const { RoadmapProvider, TaskList, useTasks } = await import('../packages/react/src/index.js');
    const { TaskRow } = await import('../packages/react/src/taskRow.js');
    const { act } = React;
    useTasksHook = useTasks;

    let serverTasks = makeTasks();
    const fetch = async (url: string | URL | Request) => {
      if (!String(url).includes('/api/v1/roadmaps/tasks')) return new Response('{}', { status: 404 });
      return new Response(JSON.stringify(listResponse(serverTasks)), {
        headers: { 'content-type': 'application/json' },
      });
    };
    const settle = async () => {
      for (let round = 0; round < 5; round += 1) {
        await act(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
      }
    };

    async function scenario(list: 'TaskList' | 'naive') {
      FakeWebSocket.sockets.length = 0;
      serverTasks = makeTasks();
      const client = createRoadmapClient({
        baseUrl: 'http://bench.local',
        fetch: fetch as typeof globalThis.fetch,
        WebSocket: FakeWebSocket as unknown as typeof WebSocket,
      });
      const rowTypes = new Set<unknown>(list === 'TaskList' ? [TaskRow] : [NaiveRow]);
      let rendered: string[] = [];
      browser.setCommitListener((root) => rendered.push(...renderedIn(root, rowTypes)));
      const profiled: string[] = [];
      let listCommits = 0;
      let listMs = 0;
      const onRowRender: React.ProfilerOnRenderCallback = (id, phase) => {
        if (phase !== 'mount') profiled.push(id);
      };
      const onListRender: React.ProfilerOnRenderCallback = (_id, phase, actualDuration) => {
        if (phase === 'mount') return;
        listCommits += 1;
        listMs += actualDuration;
      };
      const container = browser.document.createElement('div');
      browser.document.body.append(container);
      const root = createRoot(container);
      const reset = () => {
        rendered = [];
        profiled.length = 0;
        listCommits = 0;
        listMs = 0;
      };
      const observed = () => ({
        rows: new Set(rendered).size,
        profilers: new Set(profiled).size,
        commits: listCommits,
        ms: round(listMs, 2),
      });

      const mountStart = performance.now();
      await act(() =>
        root.render(
          h(
            RoadmapProvider,
            { client },
            h(
              React.Profiler,
              { id: 'list', onRender: onListRender },
              list === 'TaskList' ? h(TaskList, { onRowRender }) : h(NaiveList),
            ),
          ),
        ),
      );
      await settle();
      const mountMs = performance.now() - mountStart;
      const shown = container.querySelectorAll('tr[data-task-id]').length;
      if (shown !== rows) throw new Error(`${list} shows ${shown} rows, expected ${rows}`);
      const socket = FakeWebSocket.sockets.find((candidate) => candidate.url.endsWith('/api/v1/ws'));
      if (!socket) throw new Error(`${list} opened no user stream (sockets: ${FakeWebSocket.sockets.length})`);

      // 1. One live event for one task, through the user stream as the server would send it.
      const live = serverTasks[liveTaskIndex] as TaskSummary;
      reset();
      const event: RoadmapEvent = {
        type: 'concept_complete',
        seq: 1,
        task_id: live.task_id,
        user_id: userId,
        timestamp: at(-1),
        concept_id: 's1-m1-c2',
        concept_name: 'Borrowing',
        content_type: 'quiz',
        progress: { completed: 4, failed: 0, total: 30, percentage: 13 },
      };
      await act(() => socket.receive(event));
      await settle();
      const liveResult = observed();
      const liveRow = container.querySelector(`tr[data-task-id="${live.task_id}"] [role="progressbar"]`);
      const liveText = liveRow?.getAttribute('aria-valuenow');

      // 2. The whole list fetched again (fresh objects for every task, one task changed on the server).
      serverTasks = makeTasks();
      const changed = serverTasks[liveTaskIndex + 1] as TaskSummary;
      serverTasks[liveTaskIndex + 1] = { ...changed, progress: { ...changed.progress, completed: 5, percentage: 17 } };
      serverTasks[liveTaskIndex] = { ...live, progress: event.progress, updated_at: event.timestamp };
      reset();
      if (list === 'TaskList') {
        const refresh = [...container.querySelectorAll('button')].find((button) => button.textContent === 'Refresh');
        if (!refresh) throw new Error('TaskList has no Refresh button');
        await act(() => refresh.click());
      } else {
        // The naive list has no button: the same reload, through the user stream (an unknown task triggers it).
        await act(() =>
          socket.receive({
            ...event,
            type: 'progress',
            seq: 2,
            task_id: 'unknown',
            step: 'queued',
            status: 'pending',
            message: '',
          }),
        );
      }
      await settle();
      const refreshResult = observed();
      await act(() => root.unmount());
      container.remove();
      browser.setCommitListener(undefined);
      return { live: liveResult, liveText, refresh: refreshResult, mountMs: round(mountMs, 0) };
    }

    const taskList = await scenario('TaskList');
    const naive = await scenario('naive');
    return { taskList, naive };
  } finally {
    browser.close();
  }
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P9',
    title: `<TaskList> of ${rows} rows in jsdom: rows re-rendered by one live event for one task`,
    target: { op: '<=', value: 1 },
    async run() {
      const { taskList, naive } = await measure();
      if (taskList.liveText !== '13') {
        throw new Error(`the live event did not reach its row (aria-valuenow ${taskList.liveText}, expected 13)`);
      }
      return {
        value: taskList.live.rows,
        unit: 'rows',
        detail: {
          rows,
          live_rows_rerendered: taskList.live.rows,
          live_row_profilers_committed: taskList.live.profilers,
          live_list_commits: taskList.live.commits,
          live_commit_ms: taskList.live.ms,
          baseline_refresh_rows_rerendered: taskList.refresh.rows,
          baseline_refresh_row_profilers_committed: taskList.refresh.profilers,
          baseline_refresh_commit_ms: taskList.refresh.ms,
          naive_list_live_rows_rerendered: naive.live.rows,
          naive_list_live_commit_ms: naive.live.ms,
          naive_list_refresh_rows_rerendered: naive.refresh.rows,
          mount_ms: taskList.mountMs,
          react_build: process.env.NODE_ENV === 'production' ? 'production' : 'development',
          setup:
            'jsdom globals in the bench process; createRoadmapClient with a fake fetch (1,000 tasks for GET ' +
            '/roadmaps/tasks) and a fake WebSocket; the event is a concept_complete on the user stream (/api/v1/ws). ' +
            'rows re-rendered = row components whose function ran in the commit (React DevTools commit hook, ' +
            'PerformedWork flag); row profilers = <TaskList onRowRender> Profiler callbacks (they also fire when the ' +
            'list re-renders and a memoized row bails out). Baseline: Refresh button, server returns 1,000 fresh ' +
            'objects with 2 tasks changed. naive_list = useTasks() + an unmemoized row per task.',
        },
      };
    },
  },
];
