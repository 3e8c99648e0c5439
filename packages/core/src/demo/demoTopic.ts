import type { Resource } from '../domain/schemas.js';

/** A module of a demo topic: its name and three concepts, easiest first. */
export interface DemoModuleSeed {
  name: string;
  concepts: readonly [string, string, string];
}

/** A stage of a demo topic: exactly two modules. */
export interface DemoStageSeed {
  name: string;
  description: string;
  modules: readonly [DemoModuleSeed, DemoModuleSeed];
}

/** A single-choice question with a known answer, used in every quiz of the topic. */
export interface DemoFact {
  question: string;
  options: readonly string[];
  /** Index into `options`. */
  answer: number;
  explanation: string;
}

/** What the demo model knows about a subject: enough to design a curriculum and its content offline. */
export interface DemoTopic {
  /** Stable identifier, e.g. `rust`; `generic` for subjects built from the goal's words. */
  id: string;
  /** Noun phrase usable mid-sentence, e.g. `Rust` or `machine learning`. */
  name: string;
  /** Recognises the topic in a lower-cased goal. */
  pattern?: RegExp;
  technologies: readonly string[];
  /** Language of the fenced code sample, e.g. `rust`. */
  codeLanguage: string;
  /** Line comment prefix of `codeLanguage`, e.g. `//`. */
  commentPrefix: string;
  codeSample: string;
  /** Four stages, from first steps to mastery. */
  stages: readonly [DemoStageSeed, DemoStageSeed, DemoStageSeed, DemoStageSeed];
  /** Curated references, official documentation first. */
  resources: readonly Resource[];
  fact: DemoFact;
}

/** Builds a stage seed. */
export function stageSeed(
  name: string,
  description: string,
  first: DemoModuleSeed,
  second: DemoModuleSeed,
): DemoStageSeed {
  return { name, description, modules: [first, second] };
}

/** Builds a module seed. */
export function moduleSeed(name: string, concepts: readonly [string, string, string]): DemoModuleSeed {
  return { name, concepts };
}

/** Builds a curated resource. */
export function resource(type: Resource['type'], title: string, url: string, description: string): Resource {
  return { title, url, type, description };
}
