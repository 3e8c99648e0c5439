import type { Concept, ConceptDetail, ItemStatus, QuizQuestion, Resource, Roadmap, Tutorial } from './schemas.js';

export interface RoadmapMarkdownInput {
  roadmap: Roadmap;
  /** Generated content per concept id; a concept without an entry renders as not generated. */
  details: ReadonlyMap<string, ConceptDetail>;
  /** A note under the title, e.g. why the roadmap is partial. */
  note?: string;
  /**
   * Where quiz answers go: `inline` under each question, or `end`, an answer key after the last stage (a learner
   * can try the questions first). Default: `end`.
   */
  answers?: 'inline' | 'end';
}

/** Headings of the tutorial go below the concept's (level 4), never deeper than Markdown's level 6. */
const tutorialHeadingLevel = 6;

const questionTypes: Record<QuizQuestion['question_type'], string> = {
  single_choice: 'single choice',
  multiple_choice: 'multiple choice',
  true_false: 'true or false',
};

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function hours(value: number): string {
  return `${Number.isInteger(value) ? value : value.toFixed(1)} h`;
}

function missing(status: ItemStatus): string {
  return status === 'failed' ? '_Generation failed._' : '_Not generated._';
}

/**
 * Shifts the headings of a Markdown fragment so its highest becomes `level` (capped at 6), leaving fenced code
 * alone; drops a leading heading that only repeats `title`.
 */
export function nestHeadings(markdown: string, level: number, title?: string): string {
  const lines = markdown.split('\n');
  let fence: string | null = null;
  const headings: { index: number; depth: number; text: string }[] = [];
  for (const [index, line] of lines.entries()) {
    const fenceMatch = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fenceMatch?.[1]) {
      const marker = fenceMatch[1];
      if (fence === null) fence = marker[0] ?? null;
      else if (marker[0] === fence) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading?.[1]) headings.push({ index, depth: heading[1].length, text: heading[2] ?? '' });
  }
  const top = Math.min(...headings.map((heading) => heading.depth));
  for (const heading of headings) {
    const depth = Math.min(6, level + heading.depth - top);
    lines[heading.index] = `${'#'.repeat(depth)} ${heading.text}`;
  }
  const first = lines.findIndex((line) => line.trim() !== '');
  const firstHeading = headings[0];
  if (
    title !== undefined &&
    firstHeading &&
    firstHeading.index === first &&
    firstHeading.text.trim() === title.trim()
  ) {
    lines.splice(first, 1);
  }
  return lines.join('\n').trim();
}

function escapeLinkText(text: string): string {
  return text.replace(/[[\]\\]/g, (character) => `\\${character}`);
}

function linkTarget(url: string): string {
  return url.replace(/[ ()]/g, (character) => encodeURIComponent(character));
}

function tutorialSection(tutorial: Tutorial | null, status: ItemStatus): string[] {
  const lines = ['##### Tutorial', ''];
  if (!tutorial) return [...lines, missing(status), ''];
  lines.push(`**${tutorial.title}**`, '');
  if (tutorial.summary) lines.push(`_${tutorial.summary}_`, '');
  lines.push(nestHeadings(tutorial.content, tutorialHeadingLevel, tutorial.title), '');
  return lines;
}

function resourcesSection(resources: Resource[] | null, status: ItemStatus): string[] {
  const lines = ['##### Resources', ''];
  if (!resources) return [...lines, missing(status), ''];
  for (const resource of resources) {
    const description = resource.description ? ` — ${resource.description}` : '';
    lines.push(`- [${escapeLinkText(resource.title)}](${linkTarget(resource.url)}) (${resource.type})${description}`);
  }
  return [...lines, ''];
}

function answerLetter(index: number): string {
  return String.fromCharCode(65 + index);
}

/** `**Answer:** B. go — why.` of a question. */
function answerLine(question: QuizQuestion): string {
  const answers = question.correct_answer
    .map((index) => `${answerLetter(index)}. ${question.options[index] ?? '?'}`)
    .join('; ');
  const label = question.correct_answer.length > 1 ? 'Answers' : 'Answer';
  const explanation = question.explanation ? ` — ${question.explanation}` : '';
  return `**${label}:** ${answers}${explanation}`;
}

function quizSection(quiz: QuizQuestion[] | null, status: ItemStatus, inlineAnswers: boolean): string[] {
  const lines = ['##### Quiz', ''];
  if (!quiz) return [...lines, missing(status), ''];
  for (const [number, question] of quiz.entries()) {
    lines.push(
      `${number + 1}. ${question.question} _(${questionTypes[question.question_type]}, ${question.difficulty})_`,
    );
    for (const [index, option] of question.options.entries()) lines.push(`   - ${answerLetter(index)}. ${option}`);
    lines.push('');
    if (inlineAnswers) lines.push(`   ${answerLine(question)}`, '');
  }
  return lines;
}

/** The answer key: every generated quiz's answers, by concept, in roadmap order. */
function answerKey(concepts: readonly Concept[], details: ReadonlyMap<string, ConceptDetail>): string[] {
  const lines: string[] = [];
  for (const concept of concepts) {
    const quiz = details.get(concept.concept_id)?.quiz;
    if (!quiz || quiz.length === 0) continue;
    lines.push(`### ${concept.name}`, '');
    for (const [number, question] of quiz.entries()) lines.push(`${number + 1}. ${answerLine(question)}`);
    lines.push('');
  }
  return lines.length === 0 ? [] : ['## Answer key', '', ...lines];
}

function conceptSection(
  concept: Concept,
  detail: ConceptDetail | undefined,
  names: Map<string, string>,
  inlineAnswers: boolean,
): string[] {
  const prerequisites = concept.prerequisites.map((id) => names.get(id) ?? id);
  const lines = [
    `#### ${concept.name}`,
    '',
    `_${hours(concept.estimated_hours)} · ${concept.difficulty}${
      prerequisites.length > 0 ? ` · after ${prerequisites.join(', ')}` : ''
    }_`,
    '',
  ];
  if (concept.description) lines.push(concept.description, '');
  return [
    ...lines,
    ...tutorialSection(detail?.tutorial ?? null, concept.tutorial_status),
    ...resourcesSection(detail?.resources ?? null, concept.resources_status),
    ...quizSection(detail?.quiz ?? null, concept.quiz_status, inlineAnswers),
  ];
}

/**
 * A roadmap as one Markdown document (SPEC §9 export): title, goal and totals, then stages → modules → concepts
 * (hours, difficulty, prerequisites), each concept with its tutorial, resources as links and quiz, and the answers
 * in an answer key at the end (or under each question). Pure: the same input always gives the same text.
 */
export function roadmapToMarkdown(input: RoadmapMarkdownInput): string {
  const { roadmap, details } = input;
  const inlineAnswers = input.answers === 'inline';
  const concepts = roadmap.stages.flatMap((stage) => stage.modules.flatMap((module) => module.concepts));
  const modules = roadmap.stages.reduce((sum, stage) => sum + stage.modules.length, 0);
  const names = new Map(concepts.map((concept) => [concept.concept_id, concept.name]));

  const lines = [`# ${roadmap.title}`, ''];
  if (input.note) lines.push(`> ${input.note}`, '');
  lines.push(
    `- **Goal:** ${roadmap.goal}`,
    `- **Effort:** ${hours(roadmap.total_estimated_hours)} over ${plural(roadmap.recommended_completion_weeks, 'week')}`,
    `- **Structure:** ${plural(roadmap.stages.length, 'stage')} · ${plural(modules, 'module')} · ${plural(concepts.length, 'concept')}`,
    `- **Roadmap id:** \`${roadmap.roadmap_id}\``,
    '',
  );
  for (const stage of roadmap.stages) {
    lines.push(`## Stage ${stage.order}: ${stage.name}`, '');
    if (stage.description) lines.push(stage.description, '');
    for (const module of stage.modules) {
      lines.push(`### ${module.name}`, '');
      if (module.description) lines.push(module.description, '');
      for (const concept of module.concepts) {
        lines.push(...conceptSection(concept, details.get(concept.concept_id), names, inlineAnswers));
      }
    }
  }
  if (!inlineAnswers) lines.push(...answerKey(concepts, details));
  return `${lines.join('\n').trimEnd()}\n`;
}
