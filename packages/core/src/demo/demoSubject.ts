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
  for (const match of goal.matchAll(/[\p{L}\p{N}][\p{L}\p{N}\p{M}+#.'’-]*/gu)) {
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

/** A topic built from the goal's own words, for subjects the demo model has no knowledge of. */
export function genericTopic(goal: string): DemoTopic {
  const terms = keyTerms(goal);
  const fallback = normaliseGoal(goal).slice(0, 60) || 'your subject';
  const subject = terms.length > 0 ? terms.slice(0, 2).join(' ') : fallback;
  const query = encodeURIComponent(subject);
  return {
    id: 'generic',
    name: subject,
    technologies: terms.length > 0 ? terms : [fallback],
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
          `What ${subject} is and why it matters`,
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
  };
}

/** The known topic the goal is about, or a generic topic built from the goal's words. */
export function resolveDemoTopic(goal: string): DemoTopic {
  const lower = goal.toLowerCase();
  return demoTopics.find((topic) => topic.pattern?.test(lower)) ?? genericTopic(goal);
}
