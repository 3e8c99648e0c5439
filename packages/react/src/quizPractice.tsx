import type { ConceptDetail } from '@roadmap/core/client';
import { type FormEvent, useId, useState } from 'react';
import { Button } from './button.js';
import { useRoadmapLabels } from './provider.js';

/** One question of a concept's quiz. */
export type QuizQuestion = NonNullable<ConceptDetail['quiz']>[number];

export interface QuizPracticeProps {
  /** The concept's quiz questions (`ConceptDetail.quiz`). */
  questions: readonly QuizQuestion[];
}

/** The options a learner picked, by question id. */
type Answers = Readonly<Record<string, readonly number[]>>;

/** Whether the picked options are exactly the right ones (every one, and no other, for multiple choice). */
export function isCorrectAnswer(question: QuizQuestion, picked: readonly number[] = []): boolean {
  const right = new Set(question.correct_answer);
  return picked.length === right.size && picked.every((index) => right.has(index));
}

/**
 * An answerable quiz: single-choice and true/false questions take one option (radio buttons), multiple-choice
 * questions every right one (checkboxes). "Check answers" marks each question right or wrong, shows its explanation
 * and the score; "Try again" clears it. Native inputs in a fieldset per question, so it works from the keyboard
 * (Tab between questions, arrow keys within a radio group, Space to tick) and with screen readers; the result is
 * announced (`role="status"`).
 *
 * @example
 * <QuizPractice questions={detail.quiz} />
 */
export function QuizPractice({ questions }: QuizPracticeProps) {
  const labels = useRoadmapLabels();
  const formId = useId();
  const [answers, setAnswers] = useState<Answers>({});
  const [checked, setChecked] = useState(false);
  const score = questions.filter((question) => isCorrectAnswer(question, answers[question.question_id])).length;

  const pick = (question: QuizQuestion, index: number, selected: boolean) => {
    setChecked(false);
    setAnswers((current) => {
      const previous = current[question.question_id] ?? [];
      const next =
        question.question_type === 'multiple_choice'
          ? selected
            ? [...previous.filter((option) => option !== index), index].sort((a, b) => a - b)
            : previous.filter((option) => option !== index)
          : [index];
      return { ...current, [question.question_id]: next };
    });
  };
  const check = (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
  };
  const reset = () => {
    setAnswers({});
    setChecked(false);
  };

  return (
    <form className="roadmap-quiz" data-slot="quiz-practice" onSubmit={check} onReset={reset} noValidate>
      <ol className="roadmap-quiz-questions">
        {questions.map((question, questionIndex) => {
          const picked = answers[question.question_id] ?? [];
          const multiple = question.question_type === 'multiple_choice';
          const correct = isCorrectAnswer(question, picked);
          const name = `${formId}-${questionIndex}`;
          const feedbackId = `${name}-feedback`;
          return (
            <li key={question.question_id}>
              <fieldset
                className="roadmap-quiz-question"
                data-result={checked ? (correct ? 'correct' : 'incorrect') : undefined}
                aria-describedby={checked ? feedbackId : undefined}
              >
                <legend>{question.question}</legend>
                <p className="roadmap-muted roadmap-quiz-hint">
                  {multiple ? labels.quizChooseAll : labels.quizChooseOne}
                </p>
                {question.options.map((option, index) => {
                  const id = `${name}-${index}`;
                  const isPicked = picked.includes(index);
                  const isRight = question.correct_answer.includes(index);
                  return (
                    <div
                      key={id}
                      className="roadmap-quiz-option"
                      data-picked={isPicked || undefined}
                      data-right={checked && isRight ? true : undefined}
                    >
                      <input
                        id={id}
                        type={multiple ? 'checkbox' : 'radio'}
                        name={name}
                        value={index}
                        checked={isPicked}
                        onChange={(event) => pick(question, index, event.currentTarget.checked)}
                      />
                      <label htmlFor={id}>{option}</label>
                    </div>
                  );
                })}
                {checked && (
                  <p id={feedbackId} className="roadmap-quiz-feedback">
                    <strong>{correct ? labels.quizCorrect : labels.quizIncorrect}</strong>{' '}
                    {!correct &&
                      `${labels.quizRightAnswer(question.correct_answer.map((index) => question.options[index] ?? ''))} `}
                    {question.explanation}
                  </p>
                )}
              </fieldset>
            </li>
          );
        })}
      </ol>
      <div className="roadmap-quiz-actions">
        <Button type="submit" size="sm">
          {labels.quizCheck}
        </Button>
        {checked && (
          <Button type="reset" size="sm" variant="ghost">
            {labels.quizTryAgain}
          </Button>
        )}
        <p role="status" className="roadmap-quiz-score">
          {checked ? labels.quizScore(score, questions.length) : ''}
        </p>
      </div>
    </form>
  );
}
