import type { ContentKind } from '@roadmap/core/client';
import type { ComponentProps, ReactNode } from 'react';
import { cn } from './cn.js';
import { ItemFailure } from './itemFailure.js';
import { ItemVersions } from './itemVersions.js';
import type { MermaidLoader } from './mermaidDiagram.js';
import { useRoadmapLabels } from './provider.js';
import { QuizPractice } from './quizPractice.js';
import { safeHref } from './safeHref.js';
import { StreamingTutorial, Tutorial } from './streamingTutorial.js';
import { useConcept } from './useConcept.js';

export interface ConceptContentProps extends Omit<ComponentProps<'article'>, 'children'> {
  /** The concept's roadmap. */
  roadmapId: string;
  /** The concept to show. */
  conceptId: string;
  /**
   * Renders a tutorial's Markdown. Default: `<Markdown>` of `@roadmap/react/markdown` (GitHub-flavoured, safe for
   * untrusted text), loaded on first use; the text shows as it is until then.
   */
  renderMarkdown?: (source: string) => ReactNode;
  /**
   * Loads mermaid for the default renderer, to draw ```mermaid blocks: `() => import('mermaid')` in an app that
   * installed mermaid. Default: none (diagrams show as code).
   */
  loadMermaid?: MermaidLoader;
}

/** One part of a concept's content, its failure, or "not generated yet" while it is missing. */
function ContentPart({
  title,
  actions,
  failure,
  children,
}: {
  title: string;
  actions?: ReactNode;
  failure?: ReactNode;
  children: ReactNode;
}) {
  const labels = useRoadmapLabels();
  return (
    <section aria-label={title}>
      <h3 className="roadmap-subheading">{title}</h3>
      {actions}
      {failure}
      {children ?? (failure ? null : <p className="roadmap-muted">{labels.notGenerated}</p>)}
    </section>
  );
}

/**
 * One concept's content: the tutorial (untrusted Markdown rendered safely), resources and an answerable quiz
 * ({@link QuizPractice}), each with
 * "Regenerate with feedback" and, once it has several, a version switcher (SPEC §7). A part whose generation failed
 * says why (the server's `item_errors`) and offers "Retry" for that one item (SPEC §9).
 *
 * @example
 * <ConceptContent roadmapId={roadmapId} conceptId={conceptId} loadMermaid={() => import('mermaid')} />
 */
export function ConceptContent({
  roadmapId,
  conceptId,
  renderMarkdown,
  loadMermaid,
  className,
  ...props
}: ConceptContentProps) {
  const labels = useRoadmapLabels();
  const { concept: detail, streamingTutorial, isLoading, error, refresh } = useConcept(roadmapId, conceptId);
  const versions = (kind: ContentKind, present: boolean) =>
    present && (
      <ItemVersions roadmapId={roadmapId} conceptId={conceptId} kind={kind} onChanged={() => void refresh()} />
    );
  const failure = (kind: ContentKind) =>
    detail?.concept[`${kind}_status`] === 'failed' && (
      <ItemFailure
        roadmapId={roadmapId}
        conceptId={conceptId}
        conceptName={detail.concept.name}
        kind={kind}
        error={detail.item_errors?.[kind]}
        onRetried={() => void refresh()}
      />
    );
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
          <ContentPart
            title={labels.tutorial}
            actions={versions('tutorial', detail.tutorial !== null)}
            failure={failure('tutorial')}
          >
            {detail.tutorial ? (
              renderMarkdown ? (
                renderMarkdown(detail.tutorial.content)
              ) : (
                <Tutorial source={detail.tutorial.content} loadMermaid={loadMermaid} />
              )
            ) : (
              streamingTutorial && <StreamingTutorial tutorial={streamingTutorial} renderMarkdown={renderMarkdown} />
            )}
          </ContentPart>
          <ContentPart
            title={labels.resources}
            actions={versions('resources', detail.resources !== null)}
            failure={failure('resources')}
          >
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
          <ContentPart title={labels.quiz} actions={versions('quiz', detail.quiz !== null)} failure={failure('quiz')}>
            {detail.quiz && <QuizPractice questions={detail.quiz} />}
          </ContentPart>
        </>
      )}
    </article>
  );
}
