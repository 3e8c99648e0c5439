import { parseArgs } from 'node:util';
import type { CurrentLevel } from '@roadmap/core';

/** Goal used when none is given and stdin is not a terminal, and offered as the prompt's default. */
export const defaultGoal = 'Learn Rust for systems programming';
/** Simulated model latency when neither `--latency` nor `ROADMAP_DEMO_LATENCY_MS` is set. */
export const defaultLatencyMs = 250;

const levels: readonly CurrentLevel[] = ['beginner', 'intermediate', 'advanced'];

export const usage = `Usage: pnpm --filter @roadmap/example-cli start [options]

Generates a learning roadmap offline with the demo model and writes it as Markdown.

Options:
  --goal <text>          What you want to learn (3–500 characters).
                         Default: asked for on a terminal, else "${defaultGoal}".
  --level <level>        beginner | intermediate | advanced. Default: beginner.
  --hours <n>            Hours available per week, 1–168. Default: 10.
  --latency <ms>         Simulated model latency per call. Default: $ROADMAP_DEMO_LATENCY_MS or ${defaultLatencyMs}.
  --concurrency <n>      Concepts generated at once, 1–50. Default: 5.
  --out <dir>            Where the Markdown is written. Default: ./roadmaps.
  -h, --help             Show this help.

Ctrl-C cancels the generation and keeps what was already generated; a second Ctrl-C exits at once.`;

export interface CliOptions {
  /** `undefined` when not given: the CLI asks for it (terminal) or uses {@link defaultGoal}. */
  goal: string | undefined;
  level: CurrentLevel;
  hoursPerWeek: number;
  /** `undefined` when not given: the environment or {@link defaultLatencyMs} decides. */
  latencyMs: number | undefined;
  concurrency: number;
  /** `undefined` when not given: `./roadmaps`. */
  outDir: string | undefined;
  help: boolean;
}

export type ParsedArgs = { ok: true; options: CliOptions } | { ok: false; error: string };

/** A whole number within `[min, max]`, or an error message naming `name`. */
export function parseWholeNumber(name: string, text: string, min: number, max: number): number | string {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    return `${name} must be a whole number from ${min} to ${max} (got "${text}").`;
  }
  return value;
}

/** Validates a learning goal as the engine will (3–500 characters once trimmed); an error message when invalid. */
export function checkGoal(goal: string): string | null {
  const length = goal.trim().length;
  if (length < 3) return 'The goal needs at least 3 characters.';
  if (length > 500) return 'The goal has at most 500 characters.';
  return null;
}

/** Parses the command line. Never throws: a bad flag gives `{ ok: false, error }`. */
export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  // `pnpm start -- --goal x` forwards the separator on some versions.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(args).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Node's messages may go on with advice over several lines; the first sentence is what matters.
    const first = (message.split('\n')[0] ?? message).split('. ')[0] ?? message;
    return { ok: false, error: first.endsWith('.') ? first : `${first}.` };
  }

  let goal: string | undefined;
  if (values.goal !== undefined) {
    const problem = checkGoal(values.goal);
    if (problem) return { ok: false, error: `--goal: ${problem}` };
    goal = values.goal.trim();
  }
  const level = values.level ?? 'beginner';
  if (!levels.includes(level as CurrentLevel)) {
    return { ok: false, error: `--level must be one of ${levels.join(', ')} (got "${level}").` };
  }
  const hoursPerWeek = values.hours === undefined ? 10 : parseWholeNumber('--hours', values.hours, 1, 168);
  if (typeof hoursPerWeek === 'string') return { ok: false, error: hoursPerWeek };
  const latencyMs = values.latency === undefined ? undefined : parseWholeNumber('--latency', values.latency, 0, 60_000);
  if (typeof latencyMs === 'string') return { ok: false, error: latencyMs };
  const concurrency =
    values.concurrency === undefined ? 5 : parseWholeNumber('--concurrency', values.concurrency, 1, 50);
  if (typeof concurrency === 'string') return { ok: false, error: concurrency };
  if (values.out !== undefined && values.out.trim() === '') return { ok: false, error: '--out needs a directory.' };

  return {
    ok: true,
    options: {
      goal,
      level: level as CurrentLevel,
      hoursPerWeek,
      latencyMs,
      concurrency,
      outDir: values.out,
      help: values.help ?? false,
    },
  };
}

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      goal: { type: 'string' },
      level: { type: 'string' },
      hours: { type: 'string' },
      latency: { type: 'string' },
      concurrency: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** Latency from `ROADMAP_DEMO_LATENCY_MS`: the default when unset or empty, an error message when invalid. */
export function latencyFromEnvironment(value: string | undefined): number | string {
  if (value === undefined || value.trim() === '') return defaultLatencyMs;
  return parseWholeNumber('ROADMAP_DEMO_LATENCY_MS', value, 0, 60_000);
}
