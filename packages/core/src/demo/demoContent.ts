import type { Difficulty, Quiz, QuizQuestion, Resource, Resources, Tutorial } from '../domain/schemas.js';
import type { ConceptContext } from '../model/languageModel.js';
import { capitalise, keyTerms } from './demoSubject.js';
import type { DemoTopic } from './demoTopic.js';

/** The line that marks every demo tutorial. */
export const demoNotice = "> Demo content generated offline by Roadmap Kit's demo model.";

/** 32-bit FNV-1a hash of a string: a stable seed for everything the demo model arranges. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Deterministic random numbers in [0, 1) (mulberry32). */
function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1).trimEnd()}…`;
}

/** Text safe inside a quoted Mermaid label. */
function mermaidLabel(text: string): string {
  return truncate(text.replace(/\s+/g, ' ').replace(/"/g, '#quot;'), 60);
}

/** The concept's keywords, else the words of its name, else its name: never empty. */
function keywordsOf(concept: ConceptContext): string[] {
  const keywords = [...new Set(concept.keywords.map((keyword) => keyword.trim()).filter(Boolean))];
  if (keywords.length > 0) return keywords;
  const terms = keyTerms(concept.name, 3).map((term) => term.toLowerCase());
  return terms.length > 0 ? terms : [concept.name];
}

function shuffle<Item>(items: readonly Item[], random: () => number): Item[] {
  const result = [...items];
  for (let position = result.length - 1; position > 0; position -= 1) {
    const swap = Math.floor(random() * (position + 1));
    const current = result[position] as Item;
    result[position] = result[swap] as Item;
    result[swap] = current;
  }
  return result;
}

/** `tutorial`: Markdown with an overview, key ideas, a code sample, a Mermaid diagram and exercises. */
export function demoTutorial(concept: ConceptContext, topic: DemoTopic): Tutorial {
  const keywords = keywordsOf(concept);
  const prerequisites =
    concept.prerequisites.length > 0
      ? concept.prerequisites.map((name) => `- ${name}`).join('\n')
      : '- None: this concept is a starting point.';
  const diagram = [
    'flowchart LR',
    ...concept.prerequisites.map((name, index) => `  prerequisite${index}["${mermaidLabel(name)}"] --> concept`),
    `  concept["${mermaidLabel(concept.name)}"]`,
    ...keywords.slice(0, 4).map((keyword, index) => `  concept --> idea${index}["${mermaidLabel(keyword)}"]`),
    '  concept --> practice["Practice exercises"]',
  ].join('\n');
  const content = [
    `# ${concept.name}`,
    '',
    demoNotice,
    '',
    '## Overview',
    '',
    `${concept.description || `${concept.name} is a key concept of ${topic.name}.`}`,
    '',
    `This tutorial belongs to the module **${concept.module_name}** of the stage **${concept.stage_name}** in ` +
      `*${concept.roadmap_title}*. Its difficulty is **${concept.difficulty}**.`,
    '',
    '## Before you start',
    '',
    prerequisites,
    '',
    '## Key ideas',
    '',
    ...keywords.map(
      (keyword) =>
        `- **${keyword}**: how it shows up in ${concept.name}, and how to spot it in real ${topic.name} work.`,
    ),
    '',
    '## Worked example',
    '',
    `\`\`\`${topic.codeLanguage}`,
    `${topic.commentPrefix} ${concept.name}`,
    topic.codeSample,
    '```',
    '',
    'Run the example, change one thing at a time and predict the result before you look.',
    '',
    '## How it fits together',
    '',
    '```mermaid',
    diagram,
    '```',
    '',
    '## Practice',
    '',
    `1. Explain ${concept.name} in three sentences, without notes.`,
    `2. Build a small exercise that uses ${keywords[0] ?? concept.name}.`,
    `3. Compare your solution with the official ${capitalise(topic.name)} resources and note one difference.`,
    '',
    '## Summary',
    '',
    `You met the key ideas of ${concept.name}, saw them in a worked example and practised them. ` +
      'Next, move on to the concepts that build on it.',
  ].join('\n');
  // The content first, as the schema orders it: a streamed answer shows its text from the first pieces.
  return {
    content,
    title: concept.name,
    summary: truncate(
      `Demo tutorial on ${concept.name} (${concept.module_name}): key ideas, a worked example, a diagram and ` +
        'practice exercises.',
      300,
    ),
  };
}

/** `resources`: the topic's curated references plus a video search for the concept, 7 in all. */
export function demoResources(concept: ConceptContext, topic: DemoTopic): Resources {
  const curated: Resource[] = topic.resources.map((item) => ({
    ...item,
    description: `${item.description} Look for the parts about ${concept.name}. (demo)`,
  }));
  const video: Resource = {
    title: `${concept.name}: video explanations`,
    url: `https://www.youtube.com/results?search_query=${encodeURIComponent(`${topic.name} ${concept.name}`)}`,
    type: 'video',
    description: `Talks and walkthroughs about ${concept.name}. (demo)`,
  };
  return { resources: [...curated, video].slice(0, 10) };
}

/** Unrelated terms used as wrong answers to "which of these are key ideas of …". */
const distractorTerms = [
  'sourdough fermentation',
  'medieval heraldry',
  'cloud formation',
  'chess openings',
  'bird migration',
  'origami folds',
];

interface DraftQuestion {
  type: QuizQuestion['question_type'];
  question: string;
  /** Options with whether each is correct, before shuffling. */
  options: readonly { text: string; correct: boolean }[];
  explanation: string;
  difficulty: Difficulty;
  /** Keep the order of the options (true/false). */
  fixedOrder?: boolean;
}

function draftQuestions(concept: ConceptContext, topic: DemoTopic, random: () => number): DraftQuestion[] {
  const keywords = keywordsOf(concept).slice(0, 2);
  const context = `${concept.name} ${topic.name}`.toLowerCase();
  const distractors = distractorTerms.filter((term) => !term.split(' ').some((word) => context.includes(word)));
  const start = Math.floor(random() * Math.max(1, distractors.length - 1));
  const wrongTerms = distractors.slice(start, start + 2);
  const otherDifficulty = (['easy', 'medium', 'hard'] as const).filter((level) => level !== concept.difficulty);
  const claimsTrueDifficulty = random() < 0.5;
  const claimedDifficulty = claimsTrueDifficulty ? concept.difficulty : (otherDifficulty[0] ?? 'hard');
  const [firstPrerequisite] = concept.prerequisites;
  const trueFalse = (truth: boolean) => [
    { text: 'True', correct: truth },
    { text: 'False', correct: !truth },
  ];
  return [
    {
      type: 'single_choice',
      question: topic.fact.question,
      options: topic.fact.options.map((text, index) => ({ text, correct: index === topic.fact.answer })),
      explanation: topic.fact.explanation,
      difficulty: 'easy',
    },
    {
      type: 'multiple_choice',
      question: `Which of these are key ideas of ${concept.name}?`,
      options: [
        ...keywords.map((text) => ({ text, correct: true })),
        ...wrongTerms.map((text) => ({ text, correct: false })),
      ],
      explanation: `${concept.name} is about ${keywords.join(' and ')}; the other options are unrelated.`,
      difficulty: concept.difficulty,
    },
    firstPrerequisite === undefined
      ? {
          type: 'true_false',
          question: `${concept.name} can be studied without any prerequisite in this roadmap.`,
          options: trueFalse(true),
          explanation: 'It has no prerequisites: it is one of the starting points.',
          difficulty: 'easy',
          fixedOrder: true,
        }
      : {
          type: 'true_false',
          question: `${firstPrerequisite} should be studied before ${concept.name} in this roadmap.`,
          options: trueFalse(true),
          explanation: `${firstPrerequisite} is listed as a prerequisite of ${concept.name}.`,
          difficulty: 'easy',
          fixedOrder: true,
        },
    {
      type: 'true_false',
      question: `${concept.name} is rated "${claimedDifficulty}" in this roadmap.`,
      options: trueFalse(claimsTrueDifficulty),
      explanation: `It is rated "${concept.difficulty}".`,
      difficulty: 'easy',
      fixedOrder: true,
    },
    {
      type: 'single_choice',
      question: `What is the most effective way to consolidate ${concept.name}?`,
      options: [
        { text: 'Build a small project that uses it', correct: true },
        { text: 'Read about it once and move on', correct: false },
        { text: 'Memorise definitions without examples', correct: false },
        { text: 'Skip it and come back only when stuck', correct: false },
      ],
      explanation: 'Applying a concept in a small project exposes gaps that reading alone hides.',
      difficulty: 'medium',
    },
    {
      type: 'multiple_choice',
      question: `Which habits help when you get stuck on ${concept.name}?`,
      options: [
        { text: 'Reduce the problem to a minimal example', correct: true },
        { text: 'Re-read the relevant part of the official documentation', correct: true },
        { text: 'Copy a solution without understanding it', correct: false },
        { text: 'Abandon the topic for good', correct: false },
      ],
      explanation: 'Minimal examples and primary sources are the fastest way out of confusion.',
      difficulty: 'medium',
    },
  ];
}

/** `quiz`: six questions mixing single choice, multiple choice and true/false, answers placed by `seed`. */
export function demoQuiz(concept: ConceptContext, topic: DemoTopic, seed: number): Quiz {
  const random = randomFrom(hashText(`${seed}\u0000${concept.concept_id}\u0000${concept.name}`));
  const questions = draftQuestions(concept, topic, random).map((draft, index): QuizQuestion => {
    const options = draft.fixedOrder ? draft.options : shuffle(draft.options, random);
    return {
      question_id: `${concept.concept_id}-q${index + 1}`,
      question_type: draft.type,
      question: draft.question,
      options: options.map((option) => option.text),
      correct_answer: options.flatMap((option, position) => (option.correct ? [position] : [])),
      explanation: `${draft.explanation} (demo)`,
      difficulty: draft.difficulty,
    };
  });
  return { questions };
}
