import { invalidInput } from '../errors/httpError.js';

/**
 * The ids that appear in the API's paths, checked for length and charset before anything reads storage: a NUL
 * (which Postgres refuses in text), a 10 KB id or an id no engine makes is a 400 `invalid_input`, never a 500 and
 * never a query. The formats are those the engine creates.
 */
export interface PathParameterFormat {
  /** Longest value accepted (checked before the pattern). */
  maxLength: number;
  /** What a value must match. */
  pattern: RegExp;
  /** How a valid value looks, for the error message: "must be {description}". */
  description: string;
}

/** Formats of the path parameters, by the names the routes give them. */
export const pathParameterFormats = {
  /** Task ids: UUID v4 (`crypto.randomUUID`, the engine's default `generateId`), either case. */
  taskId: {
    maxLength: 36,
    pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i,
    description: 'a UUID v4 (0b7c2f1e-4a4f-4a8e-9d3c-3a3f0c1d2e4f)',
  },
  /** Roadmap ids: the goal's slug (lowercase ASCII letters and digits in dash-separated words) plus 8–32 hex. */
  roadmapId: {
    maxLength: 128,
    pattern: /^[a-z0-9]+(?:-[a-z0-9]+)*-[0-9a-f]{8,32}$/,
    description: 'a slug and at least 8 hex characters (learn-rust-1a2b3c4d)',
  },
  /** Concept ids: stage, module and concept numbers, as the engine numbers them. */
  conceptId: {
    maxLength: 20,
    pattern: /^s[1-9][0-9]{0,3}-m[1-9][0-9]{0,3}-c[1-9][0-9]{0,3}$/,
    description: 'a concept id such as s1-m2-c3',
  },
  /** Cover image files: a blob key without folders (letters, digits, `.`, `_`, `-`). */
  file: {
    maxLength: 255,
    pattern: /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/,
    description: 'an image file name (letters, digits, ".", "_" and "-")',
  },
} as const satisfies Record<string, PathParameterFormat>;

export type PathParameterName = keyof typeof pathParameterFormats;

/** The snake_case name of a parameter, as the errors' `path` (and the API's fields) spell it. */
const wireNames: Record<PathParameterName, string> = {
  taskId: 'task_id',
  roadmapId: 'roadmap_id',
  conceptId: 'concept_id',
  file: 'file',
};

/** Whether `value` is a well-formed `name`. */
export function isValidPathParameter(name: PathParameterName, value: string): boolean {
  const format: PathParameterFormat = pathParameterFormats[name];
  return typeof value === 'string' && value.length <= format.maxLength && format.pattern.test(value);
}

/** `value` when it is a well-formed `name`, else a 400 `invalid_input` naming the parameter. */
export function parsePathParameter(name: PathParameterName, value: string): string {
  if (isValidPathParameter(name, value)) return value;
  const format: PathParameterFormat = pathParameterFormats[name];
  throw invalidInput(`The ${wireNames[name]} in the path is invalid.`, [
    { path: wireNames[name], message: `must be ${format.description}, at most ${format.maxLength} characters` },
  ]);
}
