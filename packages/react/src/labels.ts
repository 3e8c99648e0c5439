import type {
  CancelReceipt,
  ContentKind,
  CoverStatus,
  CurrentStep,
  RoadmapEvent,
  TaskStatus,
} from '@roadmap/core/client';
import type { ShownItemStatus } from './types.js';

/** Every string the components show. Replace any of them through `<RoadmapProvider labels>`. */
export interface RoadmapLabels {
  /** Names of task statuses, shown in badges and filters. */
  status: Record<TaskStatus, string>;
  /** Names of pipeline steps. */
  step: Record<CurrentStep, string>;
  /** Suffix of a pipeline step that did not run (`roadmap_edit` when the structure needed no repair). */
  skipped: string;
  /** Names of the three content kinds of a concept. */
  contentKind: Record<ContentKind, string>;
  /** Names of content item statuses; `not_generated`: left pending or generating by a task that ended. */
  itemStatus: Record<ShownItemStatus, string>;
  /** Names of cover statuses. */
  coverStatus: Record<CoverStatus | 'not_found', string>;
  /** Filter tab showing every task. */
  all: string;
  refresh: string;
  loading: string;
  /** Shown when a list has nothing in it. */
  empty: string;
  /** Accessible name of the task table. */
  tasksTable: string;
  /** Accessible name of the filter group. */
  filters: string;
  columnTitle: string;
  columnStatus: string;
  columnStep: string;
  columnProgress: string;
  columnCreated: string;
  columnCompleted: string;
  columnActions: string;
  /** The row action and the dialog's confirm button. */
  cancelTask: string;
  /** What a cancel stopped and kept (its receipt), shown on a cancelled task. */
  cancelReceipt: (receipt: CancelReceipt) => string;
  /** Button that opens the feedback form of a content item (SPEC §7). */
  regenerateWithFeedback: string;
  /** Label of that feedback field. */
  regenerateFeedback: string;
  /** Its submit button. */
  regenerate: string;
  /** Shown while the new version is generated. */
  regenerating: string;
  /** Label of the version switcher. */
  version: string;
  /** One version in the switcher. */
  versionName: (version: number, feedback: string | null) => string;
  /** Button that closes a form without sending it. */
  close: string;
  /** Button that pauses a running task. */
  pause: string;
  /** Button that resumes a paused task. */
  resume: string;
  /** Heading of the panel of a task paused because a budget has no room for its next model call. */
  budgetPaused: string;
  /**
   * What the budget panel explains: the task's own budget (formatted) when it has one, `null` when the user's period
   * budget stopped it.
   */
  budgetPausedHelp: (taskBudget: string | null) => string;
  /** Label of the field with the task's new budget in US dollars. */
  newBudget: string;
  /** Button that raises the task's budget and resumes it. */
  raiseBudget: string;
  /** Heading of the review panel of a task in `human_review_pending`, with its round. */
  reviewTitle: (round: number, maxRounds: number) => string;
  /** What the review panel asks. */
  reviewIntro: string;
  /** Button that approves the proposed roadmap. */
  approve: string;
  /** Button that asks for changes (with the feedback field). */
  requestChanges: string;
  /** Label of the feedback field of a review. */
  feedback: string;
  /** Hint under the feedback field. */
  feedbackHint: string;
  /** The button that opens the cancel confirmation on the detail page. */
  cancelTaskTitleCase: string;
  cancelDialogTitle: string;
  cancelDialogDescription: string;
  keepRunning: string;
  /** Accessible name of the checkbox that selects every task on the page. */
  selectAllTasks: string;
  /** Accessible name of a row's checkbox. */
  selectTask: (title: string) => string;
  /** How many tasks are selected. */
  selectedCount: (count: number) => string;
  /** The toolbar button that opens the batch cancel confirmation. */
  cancelSelected: string;
  cancelSelectedTitle: (count: number) => string;
  cancelSelectedDescription: string;
  /** The batch cancel dialog's confirm button. */
  cancelTasks: string;
  cancelling: string;
  /** Prefix of the error shown when a cancel was refused. */
  cancelFailed: string;
  retry: string;
  retryFailed: string;
  /** The row and detail action that opens the delete confirmation (SPEC §9). */
  deleteTask: string;
  deleteDialogTitle: string;
  deleteDialogDescription: string;
  /** The delete dialog's confirm button. */
  deleteConfirm: string;
  /** The delete dialog's button that closes it without deleting. */
  keepTask: string;
  /** The toolbar button that opens the batch delete confirmation. */
  deleteSelected: string;
  deleteSelectedTitle: (count: number) => string;
  deleteSelectedDescription: string;
  /** The batch delete dialog's confirm button. */
  deleteTasks: string;
  /** Prefix of the error shown when a delete was refused. */
  deleteFailed: string;
  /** Shown by `<TaskDetail>` once its task was deleted. */
  taskDeleted: string;
  /** The button of `<RoadmapView>` that opens the export menu. */
  exportRoadmap: string;
  /** Export menu entries. */
  exportFormat: Record<'md' | 'json', string>;
  /** Prefix of the error shown when an export failed. */
  exportFailed: string;
  /** Shown for a content item whose generation failed: `"The quiz could not be generated."`. */
  itemFailed: (kind: string) => string;
  viewRoadmap: string;
  /** `"{completed} of {total} items"`. */
  progressText: (progress: { completed: number; failed: number; total: number; percentage: number }) => string;
  /** Accessible name of a progress bar. */
  progress: string;
  /** Formats an ISO time for people. */
  formatDate: (iso: string) => string;
  /** Formats US dollars: `"$1.23"`, amounts under a dollar to 4 decimals (`"$0.0123"`). */
  formatUsd: (usd: number) => string;
  /** Formats a count (tokens, calls): `"23,600"`. */
  formatNumber: (value: number) => string;
  /** The generate form's estimate: `"≈ $0.43, about 80 model calls"`; `cost` `null` when the model has no price. */
  estimate: (calls: number, cost: string | null) => string;
  /** Accessible name and heading of usage (cost, tokens, calls). */
  usage: string;
  /** A cost, and the header of the task list's Cost column. */
  cost: string;
  /** Shown for a cost the server could not price (its model has no price). */
  notPriced: string;
  /** Unit after a token count in the Cost column: `"23,600 tokens"`. */
  tokens: string;
  inputTokens: string;
  outputTokens: string;
  /** Model calls that reported usage. */
  calls: string;
  /** A task's budget (`budget_usd`). */
  budget: string;
  /** Accessible name of the bar showing how much of the period's budget is spent. */
  budgetUsed: string;
  /**
   * The headline of `<UsageSummary>`, amounts formatted: `"This month: $1.23 spent of $10.00"`. `period`: the server's
   * budget period; `budget` `null`: no limit; `reserved`: dollars held for calls in progress, `null` when none.
   */
  usageSpent: (period: 'day' | 'month', spent: string, budget: string | null, reserved: string | null) => string;
  stages: string;
  concepts: string;
  timeline: string;
  /** Connection states of the live stream. */
  connection: Record<'connecting' | 'open' | 'reconnecting' | 'closed', string>;
  /** Accessible name of a per-item retry button: `"Retry tutorial of Ownership"`. */
  retryItem: (kind: string, conceptName: string) => string;
  /** One line of the event timeline. */
  describeEvent: (event: RoadmapEvent, labels: RoadmapLabels) => string;
  retryCover: string;
  generating: string;
  /** Alternative text of a cover image. */
  coverAlt: (title: string) => string;
  conceptsDone: (completed: number, total: number) => string;
  hours: (hours: number) => string;
  tutorial: string;
  resources: string;
  quiz: string;
  /** Caption of a Mermaid diagram, shown as a code block. */
  mermaid: string;
  /** Shown for content that is not generated yet. */
  notGenerated: string;
  /** Hint under a single-choice or true/false question. */
  quizChooseOne: string;
  /** Hint under a multiple-choice question. */
  quizChooseAll: string;
  /** The button that marks the answers. */
  quizCheck: string;
  /** The button that clears the answers. */
  quizTryAgain: string;
  quizCorrect: string;
  quizIncorrect: string;
  /** The right options of a question answered wrong. */
  quizRightAnswer: (options: readonly string[]) => string;
  /** The result once checked. */
  quizScore: (correct: number, total: number) => string;
  learningGoal: string;
  learningGoalHint: string;
  hoursPerWeek: string;
  currentLevel: string;
  level: Record<'beginner' | 'intermediate' | 'advanced', string>;
  motivation: string;
  careerBackground: string;
  contentPreference: string;
  contentPreferenceOptions: Record<'text' | 'video' | 'interactive' | 'project', string>;
  primaryLanguage: string;
  additionalContext: string;
  /** Checkbox of the form: stop for the user's review of the framework before any content is generated. */
  reviewBeforeContent: string;
  /** Label of the form's optional budget of the roadmap, in US dollars (`budget_usd`). */
  taskBudget: string;
  /** Under a tutorial that is streaming in. */
  tutorialStreaming: string;
  /** Under a tutorial text kept from a generation that stopped before the end. */
  tutorialIncomplete: string;
  /** Heading of the task's tutorial being written, with its concept. */
  tutorialLive: (conceptName: string) => string;
  generate: string;
  submitting: string;
  /** Message of a form field that failed validation. */
  invalidField: Record<'learning_goal' | 'available_hours_per_week' | 'other', string>;
  /** Title of an error box. */
  error: string;
}

/**
 * US dollars in `locale`: to the cent (USD's 2 decimals at least), amounts under a dollar to 4 decimals (one call
 * costs fractions of a cent).
 */
const formatUsd = (usd: number, locale: string) =>
  usd.toLocaleString(locale, { style: 'currency', currency: 'USD', maximumFractionDigits: usd < 1 ? 4 : 2 });

const englishStatus: Record<TaskStatus, string> = {
  pending: 'Pending',
  processing: 'Processing',
  completed: 'Completed',
  failed: 'Failed',
  partial_failure: 'Partially failed',
  cancelled: 'Cancelled',
  human_review_pending: 'Needs review',
  paused: 'Paused',
};

/** The default labels. */
export const englishLabels: RoadmapLabels = {
  status: englishStatus,
  step: {
    queued: 'Queued',
    intent_analysis: 'Intent analysis',
    curriculum_design: 'Curriculum design',
    structure_validation: 'Structure validation',
    roadmap_edit: 'Roadmap edit',
    human_review: 'Human review',
    content_generation: 'Content generation',
    completed: 'Completed',
    failed: 'Failed',
    cancelled: 'Cancelled',
  },
  skipped: 'skipped',
  contentKind: { tutorial: 'tutorial', resources: 'resources', quiz: 'quiz' },
  itemStatus: {
    pending: 'Pending',
    generating: 'Generating',
    completed: 'Done',
    failed: 'Failed',
    not_generated: 'Not generated',
  },
  coverStatus: {
    not_started: 'Not started',
    pending: 'Pending',
    generating: 'Generating',
    success: 'Ready',
    failed: 'Failed',
    not_found: 'Not found',
  },
  all: 'All',
  refresh: 'Refresh',
  loading: 'Loading…',
  empty: 'Nothing here yet.',
  tasksTable: 'Generation tasks',
  filters: 'Filter tasks by status',
  columnTitle: 'Title',
  columnStatus: 'Status',
  columnStep: 'Current step',
  columnProgress: 'Progress',
  columnCreated: 'Created',
  columnCompleted: 'Completed',
  columnActions: 'Actions',
  cancelTask: 'Cancel task',
  cancelReceipt: ({ aborted_calls, kept_items, usage }) =>
    `The cancel stopped ${aborted_calls} ${aborted_calls === 1 ? 'call' : 'calls'} in flight and kept ${kept_items} generated ${kept_items === 1 ? 'item' : 'items'}; ` +
    `the task used ${(usage.input_tokens + usage.output_tokens).toLocaleString('en-US')} tokens in ${usage.calls} model ${usage.calls === 1 ? 'call' : 'calls'}.`,
  regenerateWithFeedback: 'Regenerate with feedback',
  regenerateFeedback: 'What should be different?',
  regenerate: 'Regenerate',
  regenerating: 'Generating a new version…',
  version: 'Version',
  versionName: (version, feedback) => (feedback ? `${version}: ${feedback.slice(0, 40)}` : `${version}: original`),
  close: 'Close',
  pause: 'Pause',
  budgetPaused: 'Paused: the budget is used up',
  budgetPausedHelp: (taskBudget) =>
    taskBudget === null
      ? 'Your budget for this period has no room for the next model call. The task continues by itself once budget is freed or raised.'
      : `This task's budget of ${taskBudget} has no room for its next model call. Raise it to continue, or wait until your period's budget has room.`,
  newBudget: 'New budget (US$)',
  raiseBudget: 'Raise budget and resume',
  resume: 'Resume',
  reviewTitle: (round, maxRounds) => `Review the proposed roadmap (round ${round} of ${maxRounds})`,
  reviewIntro: 'Nothing is generated until you approve. Approve it, or say what to change.',
  approve: 'Approve',
  requestChanges: 'Request changes',
  feedback: 'What should change?',
  feedbackHint: 'For example: more hands-on projects, fewer theory modules (up to 2,000 characters).',
  cancelTaskTitleCase: 'Cancel Task',
  cancelDialogTitle: 'Cancel this task?',
  cancelDialogDescription: 'Generation stops now. Content generated so far is kept, and you can retry later.',
  keepRunning: 'Keep running',
  selectAllTasks: 'Select all tasks on this page',
  selectTask: (title) => `Select ${title}`,
  selectedCount: (count) => `${count} selected`,
  cancelSelected: 'Cancel selected',
  cancelSelectedTitle: (count) => (count === 1 ? 'Cancel 1 task?' : `Cancel ${count} tasks?`),
  cancelSelectedDescription:
    'Generation stops now for every selected task that is still running. Content generated so far is kept.',
  cancelTasks: 'Cancel tasks',
  cancelling: 'Cancelling…',
  cancelFailed: 'Could not cancel',
  retry: 'Retry',
  retryFailed: 'Could not retry',
  deleteTask: 'Delete',
  deleteDialogTitle: 'Delete this task?',
  deleteDialogDescription: 'Its roadmap, content and cover go too, for good. A running task stops first.',
  deleteConfirm: 'Delete task',
  keepTask: 'Keep it',
  deleteSelected: 'Delete selected',
  deleteSelectedTitle: (count) => (count === 1 ? 'Delete 1 task?' : `Delete ${count} tasks?`),
  deleteSelectedDescription: 'Their roadmaps, content and covers go too, for good. Running tasks stop first.',
  deleteTasks: 'Delete tasks',
  deleteFailed: 'Could not delete',
  taskDeleted: 'This task was deleted.',
  exportRoadmap: 'Export',
  exportFormat: { md: 'Markdown (.md)', json: 'JSON (.json)' },
  exportFailed: 'Could not export',
  itemFailed: (kind) => `The ${kind} could not be generated.`,
  viewRoadmap: 'View roadmap',
  progressText: ({ completed, failed, total }) => `${completed} of ${total} items${failed ? `, ${failed} failed` : ''}`,
  progress: 'Progress',
  formatDate: (iso) => new Date(iso).toLocaleString(),
  formatUsd: (usd) => formatUsd(usd, 'en-US'),
  formatNumber: (value) => value.toLocaleString('en-US'),
  estimate: (calls, cost) => `${cost === null ? 'About' : `≈ ${cost}, about`} ${calls} model calls`,
  usage: 'Usage',
  cost: 'Cost',
  notPriced: 'Not priced',
  tokens: 'tokens',
  inputTokens: 'Input tokens',
  outputTokens: 'Output tokens',
  calls: 'Model calls',
  budget: 'Budget',
  budgetUsed: 'Budget used',
  usageSpent: (period, spent, budget, reserved) =>
    `${period === 'day' ? 'Today' : 'This month'}: ${spent} spent${budget === null ? ', no limit' : ` of ${budget}`}${reserved ? `, ${reserved} reserved` : ''}`,
  stages: 'Stages',
  concepts: 'Concepts',
  timeline: 'Event log',
  connection: { connecting: 'Connecting…', open: 'Live', reconnecting: 'Reconnecting…', closed: 'Offline' },
  retryItem: (kind, conceptName) => `Retry ${kind} of ${conceptName}`,
  describeEvent: (event, labels) => {
    switch (event.type) {
      case 'progress':
        return event.message || labels.step[event.step];
      case 'concept_start':
        return `Started ${labels.contentKind[event.content_type]}: ${event.concept_name}`;
      case 'concept_complete':
        return `Finished ${labels.contentKind[event.content_type]}: ${event.concept_name}`;
      case 'concept_failed':
        return `Failed ${labels.contentKind[event.content_type]}: ${event.concept_name}${event.error ? ` (${event.error})` : ''}`;
      case 'completed':
        return event.status === 'completed' ? 'Roadmap completed' : `Completed with ${event.failed_count} failures`;
      case 'failed':
        return `Failed: ${event.error}`;
      case 'cancelled':
        return `Cancelled${event.reason ? `: ${event.reason}` : ''}`;
      case 'task_recovering':
        return `Recovering at ${labels.step[event.current_step]}`;
      case 'cover_updated':
        return `Cover ${labels.coverStatus[event.status].toLowerCase()}`;
      case 'review_requested':
        return `Review requested (round ${event.round})`;
      case 'review_submitted':
        return event.approved
          ? `Review approved (round ${event.round})`
          : `Changes requested (round ${event.round})${event.feedback ? `: ${event.feedback}` : ''}`;
      case 'paused':
        return event.reason === 'budget' ? 'Paused: the budget is used up' : 'Paused';
      case 'resumed':
        return 'Resumed';
      case 'item_regenerated':
        return `New version ${event.version} of the ${labels.contentKind[event.content_type]}`;
      case 'usage_updated': {
        const { calls, input_tokens, output_tokens, cost_usd } = event.usage;
        return `Usage so far: ${labels.formatNumber(input_tokens + output_tokens)} tokens in ${calls} ${calls === 1 ? 'call' : 'calls'} (${cost_usd === null ? labels.notPriced : labels.formatUsd(cost_usd)})`;
      }
      case 'content_delta':
        return `Writing the ${labels.contentKind[event.content_type]} of ${event.concept_id}`;
      case 'deleted':
        return 'Deleted';
    }
  },
  retryCover: 'Retry Cover Generation',
  generating: 'Generating...',
  coverAlt: (title) => `Cover of ${title}`,
  conceptsDone: (completed, total) => `${completed} / ${total} concepts`,
  hours: (hours) => `${hours} h`,
  tutorial: 'Tutorial',
  resources: 'Resources',
  quiz: 'Quiz',
  mermaid: 'Mermaid diagram',
  notGenerated: 'Not generated yet.',
  quizChooseOne: 'Choose one answer.',
  quizChooseAll: 'Choose every right answer.',
  quizCheck: 'Check answers',
  quizTryAgain: 'Try again',
  quizCorrect: 'Correct.',
  quizIncorrect: 'Not quite.',
  quizRightAnswer: (options) => `The answer: ${options.join(', ')}.`,
  quizScore: (correct, total) => `${correct} of ${total} correct`,
  learningGoal: 'Learning goal',
  learningGoalHint: 'What do you want to learn? (3–500 characters)',
  hoursPerWeek: 'Hours per week',
  currentLevel: 'Current level',
  level: { beginner: 'Beginner', intermediate: 'Intermediate', advanced: 'Advanced' },
  motivation: 'Motivation',
  careerBackground: 'Career background',
  contentPreference: 'Preferred content',
  contentPreferenceOptions: { text: 'Text', video: 'Video', interactive: 'Interactive', project: 'Projects' },
  primaryLanguage: 'Language',
  additionalContext: 'Anything else?',
  reviewBeforeContent: 'Let me review the outline before content is generated',
  taskBudget: 'Budget for this roadmap (US$, optional)',
  tutorialStreaming: 'Writing…',
  tutorialIncomplete: 'Incomplete: the tutorial stopped before the end. Retry to generate it again.',
  tutorialLive: (conceptName) => `Writing: ${conceptName}`,
  generate: 'Generate roadmap',
  submitting: 'Starting…',
  invalidField: {
    learning_goal: 'Describe your goal in 3 to 500 characters.',
    available_hours_per_week: 'Enter a whole number of hours from 1 to 168.',
    other: 'This value is not valid.',
  },
  error: 'Something went wrong',
};

/** Simplified Chinese labels: `<RoadmapProvider labels={chineseLabels}>`. */
export const chineseLabels: RoadmapLabels = {
  ...englishLabels,
  status: {
    pending: '等待中',
    processing: '生成中',
    completed: '已完成',
    failed: '失败',
    partial_failure: '部分失败',
    cancelled: '已取消',
    human_review_pending: '待审核',
    paused: '已暂停',
  },
  step: {
    queued: '排队中',
    intent_analysis: '需求分析',
    curriculum_design: '课程设计',
    structure_validation: '结构校验',
    roadmap_edit: '路线图修订',
    human_review: '人工审核',
    content_generation: '内容生成',
    completed: '已完成',
    failed: '失败',
    cancelled: '已取消',
  },
  skipped: '已跳过',
  contentKind: { tutorial: '教程', resources: '学习资源', quiz: '测验' },
  itemStatus: { pending: '等待中', generating: '生成中', completed: '完成', failed: '失败', not_generated: '未生成' },
  coverStatus: {
    not_started: '未开始',
    pending: '等待中',
    generating: '生成中',
    success: '已生成',
    failed: '失败',
    not_found: '不存在',
  },
  all: '全部',
  refresh: '刷新',
  loading: '加载中…',
  empty: '暂无内容。',
  tasksTable: '生成任务',
  filters: '按状态筛选任务',
  columnTitle: '标题',
  columnStatus: '状态',
  columnStep: '当前步骤',
  columnProgress: '进度',
  columnCreated: '创建时间',
  columnCompleted: '完成时间',
  columnActions: '操作',
  cancelTask: '取消任务',
  cancelReceipt: ({ aborted_calls, kept_items, usage }) =>
    `取消中止了 ${aborted_calls} 个进行中的调用，保留了 ${kept_items} 项已生成内容；任务共使用 ${usage.input_tokens + usage.output_tokens} 个 token，${usage.calls} 次模型调用。`,
  regenerateWithFeedback: '根据反馈重新生成',
  regenerateFeedback: '需要哪些不同？',
  regenerate: '重新生成',
  regenerating: '正在生成新版本…',
  version: '版本',
  versionName: (version, feedback) => (feedback ? `${version}：${feedback.slice(0, 40)}` : `${version}：原始版本`),
  close: '关闭',
  pause: '暂停',
  budgetPaused: '已暂停：预算已用完',
  budgetPausedHelp: (taskBudget) =>
    taskBudget === null
      ? '本期预算不足以进行下一次模型调用。预算释放或提高后，任务会自动继续。'
      : `此任务的预算 ${taskBudget} 不足以进行下一次模型调用。提高预算即可继续。`,
  newBudget: '新预算（美元）',
  raiseBudget: '提高预算并继续',
  resume: '继续',
  reviewTitle: (round, maxRounds) => `审核路线图草案（第 ${round} / ${maxRounds} 轮）`,
  reviewIntro: '在你批准之前不会生成任何内容。请批准，或说明需要修改的地方。',
  approve: '批准',
  requestChanges: '要求修改',
  feedback: '需要修改什么？',
  feedbackHint: '例如：更多动手项目，减少理论模块（最多 2000 个字符）。',
  cancelTaskTitleCase: '取消任务',
  cancelDialogTitle: '确定取消该任务？',
  cancelDialogDescription: '生成将立即停止。已生成的内容会保留，之后可以重试。',
  keepRunning: '继续运行',
  selectAllTasks: '选择本页全部任务',
  selectTask: (title) => `选择 ${title}`,
  selectedCount: (count) => `已选择 ${count} 项`,
  cancelSelected: '取消所选',
  cancelSelectedTitle: (count) => `确定取消 ${count} 个任务？`,
  cancelSelectedDescription: '所选任务中仍在运行的将立即停止生成。已生成的内容会保留。',
  cancelTasks: '取消任务',
  cancelling: '正在取消…',
  cancelFailed: '取消失败',
  retry: '重试',
  retryFailed: '重试失败',
  deleteTask: '删除',
  deleteDialogTitle: '确定删除该任务？',
  deleteDialogDescription: '其路线图、内容和封面将一并永久删除。运行中的任务会先停止。',
  deleteConfirm: '删除任务',
  keepTask: '保留',
  deleteSelected: '删除所选',
  deleteSelectedTitle: (count) => `确定删除 ${count} 个任务？`,
  deleteSelectedDescription: '其路线图、内容和封面将一并永久删除。运行中的任务会先停止。',
  deleteTasks: '删除任务',
  deleteFailed: '删除失败',
  taskDeleted: '该任务已删除。',
  exportRoadmap: '导出',
  exportFormat: { md: 'Markdown（.md）', json: 'JSON（.json）' },
  exportFailed: '导出失败',
  itemFailed: (kind) => `${kind}生成失败。`,
  viewRoadmap: '查看路线图',
  progressText: ({ completed, failed, total }) => `${completed} / ${total} 项${failed ? `，${failed} 项失败` : ''}`,
  progress: '进度',
  formatDate: (iso) => new Date(iso).toLocaleString('zh-CN'),
  formatUsd: (usd) => formatUsd(usd, 'zh-CN'),
  estimate: (calls, cost) => `${cost === null ? '' : `约 ${cost}，`}大约 ${calls} 次模型调用`,
  usage: '用量',
  cost: '费用',
  notPriced: '未定价',
  tokens: '个 token',
  inputTokens: '输入 token',
  outputTokens: '输出 token',
  calls: '模型调用',
  budget: '预算',
  budgetUsed: '预算已用',
  usageSpent: (period, spent, budget, reserved) =>
    `${period === 'day' ? '今日' : '本月'}：已花费 ${spent}${budget === null ? '，无预算上限' : `，预算 ${budget}`}${reserved ? `，预留 ${reserved}` : ''}`,
  stages: '阶段',
  concepts: '知识点',
  timeline: '执行日志',
  connection: { connecting: '连接中…', open: '实时', reconnecting: '重新连接中…', closed: '离线' },
  retryItem: (kind, conceptName) => `重试「${conceptName}」的${kind}`,
  describeEvent: (event, labels) => {
    switch (event.type) {
      case 'concept_start':
        return `开始生成${labels.contentKind[event.content_type]}：${event.concept_name}`;
      case 'concept_complete':
        return `完成${labels.contentKind[event.content_type]}：${event.concept_name}`;
      case 'concept_failed':
        return `${labels.contentKind[event.content_type]}生成失败：${event.concept_name}`;
      case 'completed':
        return event.status === 'completed' ? '路线图已完成' : `已完成，${event.failed_count} 项失败`;
      case 'failed':
        return `失败：${event.error}`;
      case 'cancelled':
        return `已取消${event.reason ? `：${event.reason}` : ''}`;
      case 'review_requested':
        return `等待审核（第 ${event.round} 轮）`;
      case 'review_submitted':
        return event.approved
          ? `审核通过（第 ${event.round} 轮）`
          : `要求修改（第 ${event.round} 轮）${event.feedback ? `：${event.feedback}` : ''}`;
      case 'paused':
        return event.reason === 'budget' ? '已暂停：预算已用完' : '已暂停';
      case 'resumed':
        return '已继续';
      case 'usage_updated': {
        const { calls, input_tokens, output_tokens, cost_usd } = event.usage;
        return `累计用量：${calls} 次调用，${labels.formatNumber(input_tokens + output_tokens)} 个 token（${cost_usd === null ? labels.notPriced : labels.formatUsd(cost_usd)}）`;
      }
      default:
        return englishLabels.describeEvent(event, labels);
    }
  },
  retryCover: '重新生成封面',
  generating: '生成中...',
  coverAlt: (title) => `${title} 的封面`,
  conceptsDone: (completed, total) => `${completed} / ${total} 个知识点`,
  hours: (hours) => `${hours} 小时`,
  tutorial: '教程',
  resources: '学习资源',
  quiz: '测验',
  mermaid: 'Mermaid 图',
  notGenerated: '尚未生成。',
  quizChooseOne: '选择一个答案。',
  quizChooseAll: '选择所有正确答案。',
  quizCheck: '检查答案',
  quizTryAgain: '再试一次',
  quizCorrect: '正确。',
  quizIncorrect: '不完全正确。',
  quizRightAnswer: (options) => `正确答案：${options.join('、')}。`,
  quizScore: (correct, total) => `答对 ${correct} / ${total} 题`,
  learningGoal: '学习目标',
  learningGoalHint: '你想学什么？（3–500 个字符）',
  hoursPerWeek: '每周学习小时数',
  currentLevel: '当前水平',
  level: { beginner: '入门', intermediate: '中级', advanced: '高级' },
  motivation: '学习动机',
  careerBackground: '职业背景',
  contentPreference: '内容偏好',
  contentPreferenceOptions: { text: '图文', video: '视频', interactive: '交互练习', project: '项目实战' },
  primaryLanguage: '语言',
  additionalContext: '补充说明',
  reviewBeforeContent: '生成内容前先让我审核大纲',
  taskBudget: '此路线图的预算（美元，可选）',
  tutorialStreaming: '正在撰写…',
  tutorialIncomplete: '不完整：教程在结束前停止了。重试即可重新生成。',
  tutorialLive: (conceptName) => `正在撰写：${conceptName}`,
  generate: '生成路线图',
  submitting: '提交中…',
  invalidField: {
    learning_goal: '请用 3 到 500 个字符描述你的目标。',
    available_hours_per_week: '请输入 1 到 168 之间的整数。',
    other: '该值无效。',
  },
  error: '出错了',
};
