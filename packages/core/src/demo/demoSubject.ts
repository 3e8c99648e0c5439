import { dataScience, devops, frontend, machineLearning } from './demoFieldTopics.js';
import { go, python, rust, sql } from './demoProgrammingTopics.js';
import { type DemoTopic, moduleSeed, resource, stageSeed } from './demoTopic.js';

/**
 * Topics the demo model knows, most specific first: "machine learning with Python" is about machine learning,
 * "data analysis with SQL" about data science.
 */
export const demoTopics: readonly DemoTopic[] = [machineLearning, dataScience, devops, frontend, sql, rust, go, python];

/** Words that say nothing about the subject (English, plus a few Spanish, French and German). */
const stopWords = new Set(
  [
    "a an and the to of for in on at by with about from into my me i i’d i'd im i'm want would like need",
    'learn learning study studying master mastering understand get getting become be better good great how',
    'basics basic fundamentals introduction intro beginner intermediate advanced expert pro professional',
    'skills skill start started use using building installing writing working do make build create play speak',
    'write improve level up our is are it its this that what why which your you not so or as can will',
    'months month weeks week year years day days job career work',
    'aprender a de la el los las y en para apprendre le les et pour du des un une',
    'lernen und der die das ein eine zu mit',
  ]
    .join(' ')
    .split(' '),
);

/**
 * The meaningful words of a goal, in order and without duplicates: "I want to learn watercolor painting" →
 * `['watercolor', 'painting']`. Works for any script (letters and digits of every language).
 */
export function keyTerms(goal: string, limit = 5): string[] {
  const terms: string[] = [];
  const seen = new Set<string>();
  // "in 3 months", "10 hours a week": how long, not what.
  const subjectOnly = goal.replace(
    /(?:\b(?:in|within|for|over|about)\s+)?\b\d+(?:[.,]\d+)?\s*(?:months?|weeks?|years?|days?|hours?|hrs?|h)\b/giu,
    ' ',
  );
  for (const match of subjectOnly.matchAll(/[\p{L}\p{N}][\p{L}\p{N}\p{M}+#.'’-]*/gu)) {
    const word = match[0].replace(/[.'’-]+$/u, '');
    const lower = word.toLowerCase();
    if (word.length === 0 || stopWords.has(lower) || seen.has(lower)) continue;
    seen.add(lower);
    terms.push(word.length > 40 ? word.slice(0, 40) : word);
    if (terms.length >= limit) break;
  }
  return terms;
}

/** Collapses whitespace and trims. */
export function normaliseGoal(goal: string): string {
  return goal.replace(/\s+/g, ' ').trim();
}

/** Upper-cases the first character. */
export function capitalise(text: string): string {
  return text.length === 0 ? text : text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Words that narrow or frame a subject without naming one (`Rust for systems programming` is still about Rust): they
 * never make a known topic too broad for a goal.
 */
const qualifierWords = new Set(
  [
    'programming development developer engineering engineer language languages code coding software web app apps',
    'application applications backend frontend systems system fast quickly quick practical hands-on modern beyond',
    'essentials concepts everything complete course roadmap path guide tutorial tutorials',
  ]
    .join(' ')
    .split(' '),
);

/** Most key terms a subject phrase spans, and its longest length. */
const subjectLength = 60;

/**
 * The goal's subject in its own words: the stretch of the goal from its first key term to its last (at most
 * `maxTerms` terms and 60 characters): "I want to learn watercolor painting for landscapes" → `watercolor painting for
 * landscapes` (`watercolor painting` with two terms); "Learn TypeScript generics" → `TypeScript generics`.
 */
export function subjectOf(goal: string, maxTerms = 4): string {
  const normalised = normaliseGoal(goal);
  const terms = keyTerms(normalised, maxTerms);
  if (terms.length === 0) return normalised.slice(0, subjectLength) || 'your subject';
  const span = (count: number) => {
    const first = normalised.indexOf(terms[0] as string);
    const lastTerm = terms[count - 1] as string;
    const last = normalised.indexOf(lastTerm, first) + lastTerm.length;
    return normalised.slice(first, last);
  };
  for (let count = terms.length; count > 0; count -= 1) {
    const phrase = span(count);
    if (phrase.length <= subjectLength) return phrase;
  }
  return (terms[0] as string).slice(0, subjectLength);
}

/**
 * The goal's key terms a known topic does not account for: what is left once the topic's own words (its pattern's
 * matches, its name and technologies) and framing words are taken out. Empty: the goal is the topic as a whole.
 */
function termsBeyond(topic: DemoTopic, goal: string): string[] {
  const pattern = topic.pattern;
  if (!pattern) return keyTerms(goal, 20);
  const own = new Set(
    [topic.name, ...topic.technologies].flatMap((phrase) => phrase.toLowerCase().split(/[^\p{L}\p{N}+#]+/u)),
  );
  const rest = goal.toLowerCase().replace(new RegExp(`(?:${pattern.source})[\\p{L}\\p{N}]*`, 'gu'), ' ');
  return keyTerms(rest, 20).filter((term) => {
    const lower = term.toLowerCase();
    return !own.has(lower) && !qualifierWords.has(lower);
  });
}

/**
 * A topic built from the goal's own words: every stage, module and concept is named after its subject. `known`, a
 * topic the goal mentions but goes beyond ("TypeScript generics" mentions TypeScript), lends its references, code
 * sample and technologies, never its curriculum.
 */
export function genericTopic(goal: string, known?: DemoTopic): DemoTopic {
  const terms = keyTerms(goal);
  // Short enough to read well inside concept names ("Key watercolor painting terminology").
  const subject = subjectOf(goal, 2);
  const query = encodeURIComponent(subject);
  const generic = {
    id: 'generic',
    name: subject,
    technologies: terms.length > 0 ? terms : [subject],
    codeLanguage: 'yaml',
    commentPrefix: '#',
    codeSample: `practice_log:
  - session: 1
    minutes: 45
    worked_on: "one small, concrete exercise"
    went_well: "what clicked"
    revisit: "what to try again next time"`,
    stages: [
      stageSeed(
        `${capitalise(subject)} foundations`,
        `The vocabulary, set-up and first steps of ${subject}.`,
        moduleSeed('Orientation', [
          `An overview of ${subject}`,
          `Key ${subject} terminology`,
          `Setting up for ${subject}`,
        ]),
        moduleSeed('First steps', [
          `Basic ${subject} techniques`,
          `Following ${subject} examples`,
          `Beginner mistakes in ${subject}`,
        ]),
      ),
      stageSeed(
        `Core ${subject} skills`,
        `The techniques most ${subject} work relies on, practised deliberately.`,
        moduleSeed('Core techniques', [
          `Core ${subject} principles`,
          `Deliberate ${subject} practice`,
          `Feedback on your ${subject}`,
        ]),
        moduleSeed('Deeper understanding', [
          `How ${subject} experts think`,
          `Recurring ${subject} patterns`,
          `A ${subject} notebook`,
        ]),
      ),
      stageSeed(
        `Applied ${subject}`,
        `Use ${subject} on real projects and connect with other learners.`,
        moduleSeed('Projects', [
          `Planning a ${subject} project`,
          `A guided ${subject} project`,
          `Reviewing your ${subject} project`,
        ]),
        moduleSeed('Connections', [
          `${capitalise(subject)} in real-world contexts`,
          `Tools for ${subject}`,
          `${capitalise(subject)} communities`,
        ]),
      ),
      stageSeed(
        `Advanced ${subject}`,
        `Depth, independence and a plan to keep improving at ${subject}.`,
        moduleSeed('Depth', [
          `Advanced ${subject} techniques`,
          `Teaching ${subject} to others`,
          `Specialising in ${subject}`,
        ]),
        moduleSeed('Mastery', [
          `A ${subject} capstone project`,
          `A ${subject} portfolio`,
          `Continued growth in ${subject}`,
        ]),
      ),
    ],
    resources: [
      resource('article', `Wikipedia: ${subject}`, `https://en.wikipedia.org/w/index.php?search=${query}`, 'Overview.'),
      resource(
        'video',
        `${capitalise(subject)} on YouTube`,
        `https://www.youtube.com/results?search_query=${query}`,
        'Videos.',
      ),
      resource(
        'course',
        `${capitalise(subject)} courses`,
        `https://www.coursera.org/search?query=${query}`,
        'Courses.',
      ),
      resource(
        'book',
        `Books about ${subject}`,
        `https://openlibrary.org/search?q=${query}`,
        'Books to borrow or buy.',
      ),
      resource(
        'course',
        `MIT OpenCourseWare: ${subject}`,
        `https://ocw.mit.edu/search/?q=${query}`,
        'Free course material.',
      ),
      resource('tool', 'Anki', 'https://apps.ankiweb.net/', 'Spaced-repetition flashcards for key terms.'),
    ],
    fact: {
      question: `What helps most to retain new ${subject} skills?`,
      options: ['Regular practice with feedback', 'Reading once without practising', 'Cramming the night before'],
      answer: 0,
      explanation: 'Spaced, deliberate practice with feedback is what makes skills stick.',
    },
  } satisfies DemoTopic;
  if (!known) return generic;
  return {
    ...generic,
    technologies: [...new Set([...generic.technologies, ...known.technologies])].slice(0, 20),
    codeLanguage: known.codeLanguage,
    commentPrefix: known.commentPrefix,
    codeSample: known.codeSample,
    // The known topic's official documentation first, then searches for the goal's own subject.
    resources: [...known.resources.slice(0, 3), ...generic.resources.slice(0, 3)],
  };
}

/**
 * What the goal is about. A known topic when the goal names it as a whole ("Learn Rust for systems programming",
 * "Docker and Kubernetes"); otherwise a topic built from the goal's own words, which borrows the references of a
 * known topic it mentions ("TypeScript generics" is about generics, with TypeScript's documentation). Any goal gets
 * a roadmap about itself, never the nearest canned one.
 */
export function resolveDemoTopic(goal: string): DemoTopic {
  const lower = goal.toLowerCase();
  const known = demoTopics.find((topic) => topic.pattern?.test(lower));
  if (known && termsBeyond(known, goal).length === 0) return known;
  return genericTopic(goal, known);
}
