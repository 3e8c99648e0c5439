import type { ContentKind, Roadmap, RoadmapEvent } from '@roadmap/core/client';
import { Button } from './button.js';
import { RetryIcon } from './icons.js';
import { useRoadmapLabels } from './provider.js';
import { RoadmapLink } from './roadmapLink.js';
import { StatusBadge } from './statusBadge.js';
import type { Concept, ItemStatus, ShownItemStatus } from './types.js';

const kinds: readonly ContentKind[] = ['tutorial', 'resources', 'quiz'];

const statusOfEvent = { concept_start: 'generating', concept_complete: 'completed', concept_failed: 'failed' } as const;

/** Item statuses that events report after the roadmap was loaded, keyed `conceptId:kind`. */
export function itemStatusesFromEvents(events: readonly RoadmapEvent[]): Map<string, ItemStatus> {
  const statuses = new Map<string, ItemStatus>();
  for (const event of events)
    if (event.type === 'concept_start' || event.type === 'concept_complete' || event.type === 'concept_failed') {
      statuses.set(`${event.concept_id}:${event.content_type}`, statusOfEvent[event.type]);
    }
  return statuses;
}

export interface RoadmapTreeProps {
  roadmap: Roadmap;
  /** Newer item statuses than the roadmap's, from live events. */
  liveStatuses?: Map<string, ItemStatus> | undefined;
  /** Shows a retry button on failed items. */
  onRetryItem?: ((conceptId: string, kind: ContentKind) => void) | undefined;
  getConceptHref?: ((conceptId: string) => string) | undefined;
  /** The task ended (failed, cancelled…): items still pending or generating show as `not_generated`. */
  stopped?: boolean | undefined;
}

/** @internal Stages → modules → concepts, each concept with its three content statuses. */
export function RoadmapTree({ roadmap, liveStatuses, onRetryItem, getConceptHref, stopped }: RoadmapTreeProps) {
  const labels = useRoadmapLabels();
  const status = (concept: Concept, kind: ContentKind): ShownItemStatus => {
    const shown = liveStatuses?.get(`${concept.concept_id}:${kind}`) ?? concept[`${kind}_status`];
    return stopped && (shown === 'pending' || shown === 'generating') ? 'not_generated' : shown;
  };
  return (
    <ol data-slot="roadmap-tree" className="roadmap-tree" aria-label={labels.stages}>
      {roadmap.stages.map((stage) => (
        <li key={stage.stage_id}>
          <h3>{stage.name}</h3>
          {stage.modules.map((module) => (
            <section key={module.module_id} aria-label={module.name}>
              <h4>{module.name}</h4>
              <ul className="roadmap-concepts">
                {module.concepts.map((concept) => (
                  <li key={concept.concept_id} data-concept-id={concept.concept_id} className="roadmap-concept">
                    <span className="roadmap-concept__name">
                      {getConceptHref ? (
                        <RoadmapLink className="roadmap-link" href={getConceptHref(concept.concept_id)}>
                          {concept.name}
                        </RoadmapLink>
                      ) : (
                        concept.name
                      )}
                    </span>
                    <span className="roadmap-concept__items">
                      {kinds.map((kind) => {
                        const itemStatus = status(concept, kind);
                        return (
                          <span key={kind} className="roadmap-item" data-kind={kind} data-status={itemStatus}>
                            <StatusBadge status={itemStatus}>
                              {labels.contentKind[kind]}: {labels.itemStatus[itemStatus]}
                            </StatusBadge>
                            {itemStatus === 'failed' && onRetryItem && (
                              <Button
                                variant="ghost"
                                size="icon"
                                aria-label={labels.retryItem(labels.contentKind[kind], concept.name)}
                                title={labels.retryItem(labels.contentKind[kind], concept.name)}
                                onClick={() => onRetryItem(concept.concept_id, kind)}
                              >
                                <RetryIcon />
                              </Button>
                            )}
                          </span>
                        );
                      })}
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </li>
      ))}
    </ol>
  );
}
