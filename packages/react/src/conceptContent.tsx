import type { ConceptDetail } from '@roadmap/core/client';
import type { ComponentProps, ReactNode } from 'react';
import { cn } from './cn.js';
import { Markdown, safeHref } from './markdown.js';
import { useRoadmapLabels } from './provider.js';
import { useConcept } from './useConcept.js';

export interface ConceptContentProps extends Omit<ComponentProps<'article'>, 'children'> {
  /** The concept's roadmap. */
  roadmapId: string;
  /** The concept to show. */
  conceptId: string;
}

type Quiz = NonNullable<ConceptDetail['quiz']>;

function QuizList({ quiz }: { quiz: Quiz }) {
  const labels = useRoadmapLabels();
  return (
    <ol className="roadmap-quiz">
      {quiz.map((question) => (
        <li key={question.question_id}>
          <p>{question.question}</p>
          <ol type="A">
            {question.options.map((option, index) => (
              <li key={option} data-correct={question.correct_answer.includes(index) || undefined}>
                {option}
              </li>
            ))}
          </ol>
          <details>
            <summary>{labels.answer}</summary>
            <p>
              {question.correct_answer.map((index) => question.options[index]).join(', ')}. {question.explanation}
            </p>
          </details>
        </li>
      ))}
    </ol>
  );
}

/** One part of a concept's content, or "not generated yet" while it is missing. */
function ContentPart({ title, children }: { title: string; children: ReactNode }) {
  const labels = useRoadmapLabels();
  return (
    <section aria-label={title}>
      <h3 className="roadmap-subheading">{title}</h3>
      {children ?? <p className="roadmap-muted">{labels.notGenerated}</p>}
    </section>
  );
}

/**
 * One concept's content: the tutorial (untrusted Markdown rendered safely), resources and quiz.
 *
 * @example
 * <ConceptContent roadmapId={roadmapId} conceptId={conceptId} />
 */
export function ConceptContent({ roadmapId, conceptId, className, ...props }: ConceptContentProps) {
  const labels = useRoadmapLabels();
  const { concept: detail, isLoading, error } = useConcept(roadmapId, conceptId);
  return (
    <article
      data-slot="concept-content"
      aria-busy={isLoading}
      className={cn('roadmap-concept-content', className)}
      {...props}
    >
      {error && (
        <p role="alert" className="roadmap-error">
          {error.detail}
        </p>
      )}
      {!detail && isLoading && <p className="roadmap-muted">{labels.loading}</p>}
      {detail && (
        <>
          <h2 className="roadmap-heading">{detail.concept.name}</h2>
          <p className="roadmap-muted">{detail.concept.description}</p>
          <ContentPart title={labels.tutorial}>
            {detail.tutorial && <Markdown source={detail.tutorial.content} />}
          </ContentPart>
          <ContentPart title={labels.resources}>
            {detail.resources && (
              <ul className="roadmap-resources">
                {detail.resources.map((resource) => {
                  const href = safeHref(resource.url);
                  return (
                    <li key={resource.url} data-type={resource.type}>
                      {href ? (
                        <a className="roadmap-link" href={href} rel="noopener noreferrer nofollow" target="_blank">
                          {resource.title}
                        </a>
                      ) : (
                        resource.title
                      )}{' '}
                      <span className="roadmap-muted">({resource.type})</span>
                      <p>{resource.description}</p>
                    </li>
                  );
                })}
              </ul>
            )}
          </ContentPart>
          <ContentPart title={labels.quiz}>{detail.quiz && <QuizList quiz={detail.quiz} />}</ContentPart>
        </>
      )}
    </article>
  );
}
