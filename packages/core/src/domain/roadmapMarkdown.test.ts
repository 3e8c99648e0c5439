import { describe, expect, it } from 'vitest';
import { nestHeadings, roadmapToMarkdown } from './roadmapMarkdown.js';
import type { Concept, ConceptDetail, Roadmap } from './schemas.js';

function concept(id: string, name: string, overrides: Partial<Concept> = {}): Concept {
  return {
    concept_id: id,
    name,
    description: `About ${name}.`,
    estimated_hours: 4,
    difficulty: 'medium',
    prerequisites: [],
    keywords: [],
    tutorial_status: 'completed',
    resources_status: 'completed',
    quiz_status: 'completed',
    ...overrides,
  };
}

const goroutines = concept('s1-m1-c1', 'Goroutines', { estimated_hours: 2.5, difficulty: 'easy' });
const channels = concept('s1-m1-c2', 'Channels', {
  prerequisites: ['s1-m1-c1'],
  tutorial_status: 'failed',
  resources_status: 'pending',
  quiz_status: 'generating',
});

const roadmap: Roadmap = {
  roadmap_id: 'learn-go-1a2b3c4d',
  user_id: 'cli',
  title: 'Go roadmap',
  goal: 'Learn Go',
  stages: [
    {
      stage_id: 's1',
      name: 'Foundations',
      description: 'The core language.',
      order: 1,
      modules: [
        {
          module_id: 's1-m1',
          name: 'Concurrency',
          description: 'Running things at once.',
          concepts: [goroutines, channels],
        },
      ],
    },
  ],
  total_estimated_hours: 6.5,
  recommended_completion_weeks: 1,
  created_at: '2026-01-01T00:00:00.000Z',
};

const goroutinesDetail: ConceptDetail = {
  concept: goroutines,
  tutorial: {
    title: 'Goroutines',
    summary: 'Lightweight threads.',
    content:
      '# Goroutines\n\n## Overview\n\nStart one with `go`.\n\n```go\n# not a heading\ngo f()\n```\n\n### Deeper\n\nMore.',
  },
  resources: [
    { title: 'A Tour of Go [official]', url: 'https://go.dev/tour/', type: 'course', description: 'Interactive.' },
    { title: 'Effective Go', url: 'https://go.dev/doc/effective go', type: 'documentation', description: '' },
  ],
  quiz: [
    {
      question_id: 'q1',
      question_type: 'single_choice',
      question: 'Which keyword starts a goroutine?',
      options: ['async', 'go', 'spawn'],
      correct_answer: [1],
      explanation: '`go f()` runs f concurrently.',
      difficulty: 'easy',
    },
    {
      question_id: 'q2',
      question_type: 'multiple_choice',
      question: 'Which are Go keywords?',
      options: ['select', 'await', 'chan'],
      correct_answer: [0, 2],
      explanation: '',
      difficulty: 'medium',
    },
  ],
  partial_tutorial: null,
};

const markdown = roadmapToMarkdown({
  roadmap,
  details: new Map([[goroutines.concept_id, goroutinesDetail]]),
  note: 'Partial roadmap.',
  answers: 'inline',
});
const exported = roadmapToMarkdown({ roadmap, details: new Map([[goroutines.concept_id, goroutinesDetail]]) });
/** Heading lines outside fenced code. */
function headingsOf(text: string): string[] {
  let inFence = false;
  return text.split('\n').filter((line) => {
    if (line.startsWith('```')) inFence = !inFence;
    return !inFence && line.startsWith('#');
  });
}
const headings = headingsOf(markdown);

describe('roadmapToMarkdown', () => {
  it('nests stages, modules, concepts and their content under the title', () => {
    expect(headings).toEqual([
      '# Go roadmap',
      '## Stage 1: Foundations',
      '### Concurrency',
      '#### Goroutines',
      '##### Tutorial',
      '###### Overview',
      '###### Deeper',
      '##### Resources',
      '##### Quiz',
      '#### Channels',
      '##### Tutorial',
      '##### Resources',
      '##### Quiz',
    ]);
  });

  it('by default puts the answers in an answer key after the last stage, not under the questions', () => {
    expect(headingsOf(exported).slice(-3)).toEqual(['##### Quiz', '## Answer key', '### Goroutines']);
    const quiz = exported.slice(exported.indexOf('##### Quiz'), exported.indexOf('## Answer key'));
    expect(quiz).toContain('1. Which keyword starts a goroutine? _(single choice, easy)_');
    expect(quiz).not.toContain('**Answer');
    expect(exported.slice(exported.indexOf('## Answer key'))).toBe(
      [
        '## Answer key',
        '',
        '### Goroutines',
        '',
        '1. **Answer:** B. go — `go f()` runs f concurrently.',
        '2. **Answers:** A. select; C. chan',
        '',
      ].join('\n'),
    );
  });

  it('starts with the goal, the effort, the structure and the note', () => {
    expect(markdown.startsWith('# Go roadmap\n\n> Partial roadmap.\n\n- **Goal:** Learn Go\n')).toBe(true);
    expect(markdown).toContain('- **Effort:** 6.5 h over 1 week\n');
    expect(markdown).toContain('- **Structure:** 1 stage · 1 module · 2 concepts\n');
  });

  it('gives each concept its hours, difficulty and prerequisites by name', () => {
    expect(markdown).toContain('#### Goroutines\n\n_2.5 h · easy_\n\nAbout Goroutines.');
    expect(markdown).toContain('#### Channels\n\n_4 h · medium · after Goroutines_');
  });

  it('includes the tutorial with its summary, keeping code blocks untouched', () => {
    expect(markdown).toContain('**Goroutines**\n\n_Lightweight threads._\n\n###### Overview\n\nStart one with `go`.');
    expect(markdown).toContain('```go\n# not a heading\ngo f()\n```');
  });

  it('lists resources as links, escaping what would break them', () => {
    expect(markdown).toContain('- [A Tour of Go \\[official\\]](https://go.dev/tour/) (course) — Interactive.\n');
    expect(markdown).toContain('- [Effective Go](https://go.dev/doc/effective%20go) (documentation)\n');
  });

  it('writes quiz questions with their options and answers', () => {
    expect(markdown).toContain(
      [
        '1. Which keyword starts a goroutine? _(single choice, easy)_',
        '   - A. async',
        '   - B. go',
        '   - C. spawn',
        '',
        '   **Answer:** B. go — `go f()` runs f concurrently.',
      ].join('\n'),
    );
    expect(markdown).toContain('   **Answers:** A. select; C. chan\n');
  });

  it('marks content that failed or was not generated', () => {
    const channelsPart = markdown.slice(markdown.indexOf('#### Channels'));
    expect(channelsPart).toContain('##### Tutorial\n\n_Generation failed._');
    expect(channelsPart).toContain('##### Resources\n\n_Not generated._');
    expect(channelsPart).toContain('##### Quiz\n\n_Not generated._');
    expect(markdown.endsWith('_Not generated._\n')).toBe(true);
  });
});

describe('nestHeadings', () => {
  it('moves the highest heading to the given level and caps at 6', () => {
    expect(nestHeadings('## A\n### B\n#### C', 4)).toBe('#### A\n##### B\n###### C');
    expect(nestHeadings('# A\n## B', 6)).toBe('###### A\n###### B');
  });

  it('drops a first heading that repeats the title', () => {
    expect(nestHeadings('# Title\n\nText\n## Part', 5, 'Title')).toBe('Text\n###### Part');
    expect(nestHeadings('Intro\n# Title', 5, 'Title')).toBe('Intro\n##### Title');
  });
});
