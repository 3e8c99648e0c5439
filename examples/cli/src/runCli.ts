import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type ConceptDetail,
  createDemoModel,
  createMemoryQueue,
  isTerminalEvent,
  type LanguageModel,
  RoadmapEngine,
  RoadmapError,
  type RoadmapEvent,
  roadmapToMarkdown,
  type Task,
} from '@roadmap/core';
import { errorMessage } from '@roadmap/core/internal';
import { createSqliteStorage } from '@roadmap/sqlite';
import { checkGoal, defaultGoal, latencyFromEnvironment, parseCliArgs, usage } from './args.js';
import { askGoal } from './askGoal.js';
import { countContent, describeContent, describeKept } from './contentCounts.js';
import { formatDuration } from './formatDuration.js';
import { applyEvent, initialProgressState } from './progressState.js';
import { createReporter, type OutputStream } from './reporter.js';

/** Exit codes: 2 for bad usage, 130 (128 + SIGINT) after Ctrl-C, as shells do. */
export const exitCodes = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

export const cancelReason = 'Cancelled from the CLI (Ctrl-C)';

export interface CliEnvironment {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Base of a relative `--out`. */
  cwd: string;
  /** Aborts on the first Ctrl-C: the task is cancelled through the engine. */
  interruptSignal: AbortSignal;
  /** The model behind the engine. Default: the offline demo model with the chosen latency. */
  model?: LanguageModel;
}

/** Where the user is: the directory pnpm was started from (`INIT_CWD`) when there is one, else `cwd`. */
function userDirectory(environment: CliEnvironment): string {
  return environment.env.INIT_CWD || environment.cwd;
}

/** A path as short as it can be said from the user's directory. */
function displayPath(file: string, base: string): string {
  const relative = path.relative(base, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

async function conceptDetails(engine: RoadmapEngine, task: Task): Promise<Map<string, ConceptDetail>> {
  const roadmap = await engine.getRoadmap(task.roadmap_id);
  const details = new Map<string, ConceptDetail>();
  if (!roadmap) return details;
  for (const stage of roadmap.stages) {
    for (const module of stage.modules) {
      for (const concept of module.concepts) {
        const detail = await engine.getConcept(task.roadmap_id, concept.concept_id);
        if (detail) details.set(concept.concept_id, detail);
      }
    }
  }
  return details;
}

/** Writes the roadmap (as far as it exists) as Markdown; the file's path, or `null` before the framework exists. */
async function writeRoadmap(engine: RoadmapEngine, task: Task, directory: string): Promise<string | null> {
  const roadmap = await engine.getRoadmap(task.roadmap_id);
  if (!roadmap) return null;
  const notes: Partial<Record<Task['status'], string>> = {
    cancelled: 'Partial roadmap: generation was cancelled. Content not generated yet is marked as such.',
    partial_failure: 'Some content failed to generate; it is marked as such.',
    failed: 'Generation failed; only the content generated before the failure is included.',
  };
  const note = notes[task.status];
  const markdown = roadmapToMarkdown({
    roadmap,
    answers: 'inline',
    details: await conceptDetails(engine, task),
    ...(note ? { note } : {}),
  });
  await mkdir(directory, { recursive: true });
  const file = path.join(directory, `${roadmap.roadmap_id}.md`);
  await writeFile(file, markdown, 'utf8');
  return file;
}

/**
 * The whole CLI: parses `argv`, generates a roadmap offline with live progress, writes it as Markdown, and
 * resolves the exit code. Ctrl-C (`interruptSignal`) cancels the task through the engine and keeps what exists.
 */
export async function runCli(argv: readonly string[], environment: CliEnvironment): Promise<number> {
  const { stdout, stderr } = environment;
  const parsed = parseCliArgs(argv);
  if (!parsed.ok) {
    stderr.write(`Error: ${parsed.error}\n\n${usage}\n`);
    return exitCodes.usage;
  }
  const { options } = parsed;
  if (options.help) {
    stdout.write(`${usage}\n`);
    return exitCodes.ok;
  }
  const latencyMs = options.latencyMs ?? latencyFromEnvironment(environment.env.ROADMAP_DEMO_LATENCY_MS);
  if (typeof latencyMs === 'string') {
    stderr.write(`Error: ${latencyMs}\n\n${usage}\n`);
    return exitCodes.usage;
  }

  let goal = options.goal;
  if (goal === undefined && environment.stdin.isTTY) {
    const answer = await askGoal({
      input: environment.stdin,
      output: stdout as NodeJS.WritableStream,
      defaultGoal,
      abortSignal: environment.interruptSignal,
    });
    if (answer === null) {
      stdout.write('\nCancelled.\n');
      return exitCodes.interrupted;
    }
    const problem = checkGoal(answer);
    if (problem) {
      stderr.write(`Error: ${problem}\n`);
      return exitCodes.usage;
    }
    goal = answer;
  }
  goal ??= defaultGoal;

  const reporter = createReporter(stdout);
  let state = initialProgressState(goal);
  let settle: (event: RoadmapEvent) => void = () => {};
  const terminal = new Promise<RoadmapEvent>((resolve) => {
    settle = resolve;
  });
  // Tasks live in a SQLite file (ROADMAP_DATA_DIR, default ./.roadmap-data), so what was generated survives the
  // process; a task left behind by a killed run is resumed by the next run's recovery.
  const dataDirectory = path.resolve(userDirectory(environment), environment.env.ROADMAP_DATA_DIR || '.roadmap-data');
  await mkdir(dataDirectory, { recursive: true });
  const storage = createSqliteStorage({ filename: path.join(dataDirectory, 'roadmap.db') });
  // Each run is its own user, so the display follows only this run's task.
  const userId = `cli-${globalThis.crypto.randomUUID()}`;
  const engine = new RoadmapEngine({
    storage,
    queue: createMemoryQueue(),
    model: environment.model ?? createDemoModel({ latencyMs }),
    concurrency: options.concurrency,
    onError: (error) => reporter.log(`! ${errorMessage(error)}`),
  });
  engine.subscribe((event) => {
    if (event.user_id !== userId) return;
    state = applyEvent(state, event);
    reporter.update(state, event);
    if (isTerminalEvent(event)) settle(event);
  });

  const startedAt = performance.now();
  await engine.start();
  const { task: created } = await engine.generate({
    userId,
    request: {
      preferences: {
        learning_goal: goal,
        current_level: options.level,
        available_hours_per_week: options.hoursPerWeek,
      },
    },
  });

  const interrupted = new Promise<'interrupted'>((resolve) => {
    if (environment.interruptSignal.aborted) resolve('interrupted');
    environment.interruptSignal.addEventListener('abort', () => resolve('interrupted'), { once: true });
  });
  if ((await Promise.race([terminal, interrupted])) === 'interrupted') {
    try {
      await engine.cancel(created.task_id, { reason: cancelReason });
    } catch (error) {
      // The task finished just before the cancel: report that outcome instead.
      if (!(RoadmapError.isInstance(error) && error.code === 'task_not_cancellable')) throw error;
    }
  }
  await terminal;
  const elapsed = formatDuration(performance.now() - startedAt);
  await engine.stop();
  reporter.finish(state);
  try {
    return await report(engine, created, environment, { outDir: options.outDir, elapsed });
  } finally {
    storage.close();
  }
}

/** Writes the roadmap's Markdown and says how the task ended; returns the exit code. */
async function report(
  engine: RoadmapEngine,
  created: Task,
  environment: CliEnvironment,
  options: { outDir: string | undefined; elapsed: string },
): Promise<number> {
  const { stdout, stderr } = environment;
  const { elapsed } = options;
  const task = await engine.getTask(created.task_id);
  if (!task) throw new Error(`The task ${created.task_id} disappeared.`);
  // Roadmaps go to `--out`, else `./roadmaps`, from the user's directory.
  const base = userDirectory(environment);
  const file = await writeRoadmap(engine, task, path.resolve(base, options.outDir ?? 'roadmaps'));
  const items = await engine.storage.listItems(task.roadmap_id);
  const shown = file ? displayPath(file, base) : null;

  if (task.status === 'cancelled') {
    const checkpoints = Object.keys(await engine.storage.getCheckpoints(task.task_id));
    stdout.write(`\nCancelled. ${describeKept({ checkpoints, roadmapStored: file !== null, items })}\n`);
    if (shown) stdout.write(`Partial roadmap written to ${shown}\n`);
    return exitCodes.interrupted;
  }

  const counts = describeContent(countContent(items));
  if (task.status === 'completed') {
    stdout.write(`\nRoadmap written to ${shown ?? '(nothing to write)'}\n`);
    stdout.write(`Status: completed · ${counts} · ${elapsed}\n`);
    return exitCodes.ok;
  }
  stderr.write(`\nError: ${task.error_message ?? `the task ended ${task.status}`}\n`);
  if (shown) stdout.write(`Roadmap (as far as generated) written to ${shown}\n`);
  stdout.write(`Status: ${task.status} · ${counts} · ${elapsed}\n`);
  return exitCodes.failed;
}
