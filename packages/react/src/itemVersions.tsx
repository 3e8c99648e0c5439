import {
  type ContentKind,
  type ItemVersionsResponse,
  type RoadmapApiError,
  type RoadmapEvent,
  toApiError,
} from '@roadmap/core/client';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Button } from './button.js';
import { RetryIcon } from './icons.js';
import { useRoadmapClient, useRoadmapLabels } from './provider.js';
import { useResource } from './useResource.js';
import { useTask } from './useTask.js';

export interface ItemVersionsProps {
  roadmapId: string;
  conceptId: string;
  kind: ContentKind;
  /** Called once a new version was generated or an earlier one restored: show the item again. */
  onChanged: () => void;
}

/** Longest feedback the server accepts. */
const maxFeedbackLength = 2000;

interface Regeneration {
  taskId: string;
  conceptId: string;
  kind: ContentKind;
  version: number;
}

/**
 * Whether the task's events say the regeneration ended: its `item_regenerated`, or the item's failure after the task
 * was queued for it. (The task's stream replays its whole log first, so its earlier run's terminal event says
 * nothing.)
 */
function regenerationEnded(events: readonly RoadmapEvent[], regeneration: Regeneration): boolean {
  const requeued = events.findLastIndex(
    (event) =>
      event.type === 'progress' &&
      event.step === 'queued' &&
      event.message.includes(`(version ${regeneration.version})`),
  );
  return events.some(
    (event, index) =>
      (event.type === 'item_regenerated' &&
        event.concept_id === regeneration.conceptId &&
        event.content_type === regeneration.kind &&
        event.version === regeneration.version) ||
      (event.type === 'concept_failed' &&
        index > requeued &&
        requeued >= 0 &&
        event.concept_id === regeneration.conceptId &&
        event.content_type === regeneration.kind),
  );
}

/** Follows the task making a new version, and tells when that version is there (or failed). */
function Regenerating({ regeneration, onDone }: { regeneration: Regeneration; onDone: () => void }) {
  const labels = useRoadmapLabels();
  const { task, events } = useTask(regeneration.taskId);
  const ended = regenerationEnded(events, regeneration) || task?.status === 'cancelled';
  const latest = useRef(onDone);
  latest.current = onDone;
  useEffect(() => {
    if (ended) latest.current();
  }, [ended]);
  return (
    <p role="status" className="roadmap-muted">
      {labels.regenerating}
    </p>
  );
}

/**
 * "Regenerate with feedback" and the version switcher of one content item (SPEC §7): the feedback asks the model
 * for a new version of that item only; every version is kept, and choosing one shows it again.
 *
 * @example
 * <ItemVersions roadmapId={roadmapId} conceptId={conceptId} kind="tutorial" onChanged={refresh} />
 */
export function ItemVersions({ roadmapId, conceptId, kind, onChanged }: ItemVersionsProps) {
  const labels = useRoadmapLabels();
  const client = useRoadmapClient();
  const versions = useResource<ItemVersionsResponse>(
    JSON.stringify(['versions', roadmapId, conceptId, kind]),
    (resourceClient, signal) => resourceClient.listItemVersions(roadmapId, conceptId, kind, { signal }),
  );
  const [open, setOpen] = useState(false);
  const [feedback, setFeedback] = useState('');
  const [regeneration, setRegeneration] = useState<Regeneration>();
  const [error, setError] = useState<RoadmapApiError | null>(null);
  const fieldId = useId();
  const refreshVersions = versions.refresh;
  const settle = () => {
    setRegeneration(undefined);
    void refreshVersions();
    onChanged();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const started = await client.regenerateItem(roadmapId, conceptId, kind, feedback.trim());
      setRegeneration({ taskId: started.task_id, conceptId, kind, version: started.version });
      setOpen(false);
      setFeedback('');
    } catch (caught) {
      setError(toApiError(caught));
    }
  };
  const restore = async (version: number) => {
    setError(null);
    try {
      await client.restoreItemVersion(roadmapId, conceptId, kind, version);
      await refreshVersions();
      onChanged();
    } catch (caught) {
      setError(toApiError(caught));
    }
  };
  const list = versions.data?.versions.filter((entry) => entry.content !== null) ?? [];
  const current = list.find((entry) => entry.current)?.version;
  return (
    <div data-slot="item-versions" className="roadmap-toolbar">
      {list.length > 1 && (
        <label className="roadmap-check">
          {labels.version}
          <select value={current ?? ''} onChange={(event) => void restore(Number(event.target.value))}>
            {list.map((entry) => (
              <option key={entry.version} value={entry.version}>
                {labels.versionName(entry.version, entry.feedback)}
              </option>
            ))}
          </select>
        </label>
      )}
      {regeneration ? (
        <Regenerating regeneration={regeneration} onDone={settle} />
      ) : open ? (
        <form onSubmit={(event) => void submit(event)} className="roadmap-field">
          <label htmlFor={fieldId}>{labels.regenerateFeedback}</label>
          <textarea
            id={fieldId}
            rows={2}
            maxLength={maxFeedbackLength}
            value={feedback}
            onChange={(event) => setFeedback(event.target.value)}
          />
          <div className="roadmap-toolbar">
            <Button type="submit" size="sm" disabled={feedback.trim() === ''}>
              {labels.regenerate}
            </Button>
            <Button type="button" variant="ghost" size="sm" onClick={() => setOpen(false)}>
              {labels.close}
            </Button>
          </div>
        </form>
      ) : (
        <Button variant="outline" size="sm" onClick={() => setOpen(true)}>
          <RetryIcon />
          {labels.regenerateWithFeedback}
        </Button>
      )}
      {error && (
        <p role="alert" className="roadmap-error">
          {error.detail}
        </p>
      )}
    </div>
  );
}
