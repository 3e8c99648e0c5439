import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, within } from 'storybook/test';
import { chineseLabels } from './labels.js';
import { RoadmapProvider, useRoadmapClient } from './provider.js';
import { QuizPractice, type QuizQuestion } from './quizPractice.js';

/** Three kinds of question (SPEC §9): one answer, every right answer, true or false. */
const practiceQuestions: QuizQuestion[] = [
  {
    question_id: 'q-move',
    question_type: 'single_choice',
    question: 'What happens to `first` after `let second = first;` when `first` is a `String`?',
    options: ['It is copied', 'It is moved and can no longer be used', 'It is borrowed'],
    correct_answer: [1],
    explanation: '`String` is not `Copy`, so assignment moves it.',
    difficulty: 'easy',
  },
  {
    question_id: 'q-copy',
    question_type: 'multiple_choice',
    question: 'Which of these types are `Copy`?',
    options: ['i32', 'String', 'bool', 'Vec<u8>'],
    correct_answer: [0, 2],
    explanation: 'Plain scalars are `Copy`; types that own heap memory are not.',
    difficulty: 'medium',
  },
  {
    question_id: 'q-borrow',
    question_type: 'true_false',
    question: 'A value can have several shared borrows at the same time.',
    options: ['True', 'False'],
    correct_answer: [0],
    explanation: 'Any number of `&T` may coexist, as long as there is no `&mut T`.',
    difficulty: 'easy',
  },
];

const meta = {
  title: 'Roadmaps/QuizPractice',
  component: QuizPractice,
  args: { questions: practiceQuestions },
} satisfies Meta<typeof QuizPractice>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Nothing picked yet: a radio group per single-choice or true/false question, checkboxes for multiple choice. */
export const Unanswered: Story = {};

/** Every answer right: each question says so with its explanation, and the score is 3 of 3. */
export const AllCorrect: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByLabelText('It is moved and can no longer be used'));
    await userEvent.click(canvas.getByLabelText('i32'));
    await userEvent.click(canvas.getByLabelText('bool'));
    await userEvent.click(canvas.getByLabelText('True'));
    await userEvent.click(canvas.getByRole('button', { name: 'Check answers' }));
    await expect(canvas.getByRole('status')).toHaveTextContent('3 of 3 correct');
  },
};

/** Some answers wrong: those questions show the right answer with the explanation; a multiple choice needs them all. */
export const SomeWrong: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByLabelText('It is copied'));
    await userEvent.click(canvas.getByLabelText('i32'));
    await userEvent.click(canvas.getByLabelText('True'));
    await userEvent.click(canvas.getByRole('button', { name: 'Check answers' }));
    await expect(canvas.getByRole('status')).toHaveTextContent('1 of 3 correct');
  },
};

/** Answered from the keyboard only: Tab into a group, arrow keys to pick, Space to tick, Enter to check. */
export const Keyboard: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.tab();
    await userEvent.keyboard('{ArrowDown}');
    await userEvent.tab();
    await userEvent.keyboard(' ');
    await userEvent.tab();
    await userEvent.tab();
    await userEvent.keyboard(' ');
    await userEvent.tab();
    await userEvent.tab();
    await userEvent.keyboard(' ');
    await userEvent.tab();
    await userEvent.keyboard('{Enter}');
    await expect(canvas.getByRole('status')).toHaveTextContent('3 of 3 correct');
  },
};

/** The same quiz with the Chinese labels. */
export const Chinese: Story = {
  decorators: [
    (Story) => {
      const client = useRoadmapClient();
      return (
        <RoadmapProvider client={client} labels={chineseLabels}>
          <Story />
        </RoadmapProvider>
      );
    },
  ],
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByLabelText('It is moved and can no longer be used'));
    await userEvent.click(canvas.getByRole('button', { name: '检查答案' }));
    await expect(canvas.getByRole('status')).toHaveTextContent('答对 1 / 3 题');
  },
};
