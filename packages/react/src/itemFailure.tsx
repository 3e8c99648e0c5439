import type { ContentKind } from '@roadmap/core/client';
import { Button } from './button.js';
import { LoaderIcon, RetryIcon } from './icons.js';
import { useRoadmapClient, useRoadmapLabels } from './provider.js';
import { useAction } from './useAction.js';

export interface ItemFailureProps {
  roadmapId: string;
  conceptId: string;
  conceptName: string;
  kind: ContentKind;
  /** Why the item failed (the concept's `item_errors`); `null` or `undefined` when the server did not say. */
  error: string | null | undefined;
  /** Called once the server accepted the retry (the concept should be read again). */
  onRetried: () => void;
}

/**
 * @internal A content item whose generation failed: what happened (SPEC §9, the original's "view error logs") and
 * "Retry", which asks for that one item again (`POST …/{kind}/retry`).
 */
export function ItemFailure({ roadmapId, conceptId, conceptName, kind, error, onRetried }: ItemFailureProps) {
  const labels = useRoadmapLabels();
  const client = useRoadmapClient();
  const { running, error: refusal, run } = useAction();
  const isRetrying = running !== null;
  const retry = async () => {
    if (await run(true, () => client.retryConceptContent(roadmapId, conceptId, kind))) onRetried();
  };
  return (
    <div data-slot="item-failure" data-kind={kind} className="roadmap-item-failure">
      <p className="roadmap-error">
        {labels.itemFailed(labels.contentKind[kind])}
        {error && <span className="roadmap-item-failure__detail"> {error}</span>}
      </p>
      <Button
        variant="outline"
        size="sm"
        aria-label={labels.retryItem(labels.contentKind[kind], conceptName)}
        onClick={retry}
        disabled={isRetrying}
        aria-busy={isRetrying}
      >
        {isRetrying ? <LoaderIcon className="roadmap-spin" /> : <RetryIcon />}
        {labels.retry}
      </Button>
      {refusal && (
        <p role="alert" className="roadmap-error">
          {labels.retryFailed}: {refusal}
        </p>
      )}
    </div>
  );
}
