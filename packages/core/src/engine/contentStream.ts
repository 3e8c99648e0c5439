import type { ContentKind } from '../domain/schemas.js';
import type { TaskRecord } from '../domain/task.js';
import type { Storage } from '../storage/storage.js';
import type { RunContext } from './runContext.js';

/** At most one `content_delta` (and one write of the partial text) per item in this many ms: about 10 a second. */
export const contentDeltaIntervalMs = 100;

const partialTextPrefix = 'partial:tutorial:';

/** The task checkpoint holding the partial tutorial text of one concept while it streams (and after an interruption). */
export function partialTextKey(conceptId: string): string {
  return `${partialTextPrefix}${conceptId}`;
}

/**
 * The text of one item as it streams in (SPEC §7 streaming): pieces are gathered and, at most every
 * {@link contentDeltaIntervalMs}, the text so far is stored durably (the task checkpoint {@link partialTextKey},
 * fenced) and the new piece announced as a `content_delta` at its offset. A new attempt of the call starts the text
 * again: its first delta has offset 0 and carries everything the attempt has produced. Writes run one at a time,
 * in order; a failed write goes to `onError` and the stream goes on (the final content is stored regardless).
 */
export class ContentStream {
  /** Everything the current attempt produced. */
  private text = '';
  /** How much of `text` was announced. */
  private sent = 0;
  /** Whether the next delta starts the text again (a retried call after text was announced). */
  private restart = false;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private cancelTimer: (() => void) | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: Pick<RunContext, 'clock' | 'publish' | 'storage' | 'fence' | 'onError'>,
    private readonly item: { roadmapId: string; conceptId: string; kind: ContentKind },
  ) {}

  /** A new attempt of the call starts: what an earlier one produced is replaced. */
  start(): void {
    if (this.text === '' && this.sent === 0) return;
    this.restart = this.sent > 0 || this.restart;
    this.text = '';
    this.sent = 0;
  }

  /** A piece of the text arrived. */
  push(piece: string): void {
    this.text += piece;
    if (this.cancelTimer) return;
    const wait = this.lastFlushAt + contentDeltaIntervalMs - this.context.clock.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.cancelTimer = this.context.clock.setTimeout(
      () => {
        this.cancelTimer = undefined;
        this.flush();
      },
      wait,
      { background: true },
    );
  }

  /** Announces what is left and waits for every write: call before the item's result is stored. */
  async finish(): Promise<void> {
    this.stop();
    this.flush();
    await this.writing;
  }

  /** Stops announcing (the call failed or was aborted); what was stored stays. */
  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private flush(): void {
    if (this.text.length === this.sent && !this.restart) return;
    this.lastFlushAt = this.context.clock.now();
    const offset = this.restart ? 0 : this.sent;
    const text = this.text;
    const piece = text.slice(offset);
    this.sent = text.length;
    this.restart = false;
    const { context, item } = this;
    this.writing = this.writing.then(async () => {
      try {
        await context.storage.saveCheckpoint(context.fence, partialTextKey(item.conceptId), text);
        await context.publish('content_delta', {
          roadmap_id: item.roadmapId,
          concept_id: item.conceptId,
          content_type: item.kind,
          offset,
          text: piece,
        });
      } catch (error) {
        context.onError(error);
      }
    });
  }
}

/** The error of a tutorial item whose generation was interrupted with part of its text streamed and kept. */
export const partialKeptError = 'Interrupted: the partial tutorial is kept; a retry generates it again.';

/**
 * A run of `task` was stopped (a cancel, a pause that aborted its calls): each tutorial item still `generating` that
 * streamed some text becomes `failed` with {@link partialKeptError}, its partial text kept (SPEC §7: a cancel keeps
 * it, marked). Not fenced: call it once no run can write the task's items any more. Returns how many.
 */
export async function keepPartialTutorials(
  storage: Pick<Storage, 'getCheckpoints' | 'resetItems'>,
  task: Pick<TaskRecord, 'task_id' | 'roadmap_id'>,
): Promise<number> {
  const checkpoints = await storage.getCheckpoints(task.task_id);
  let kept = 0;
  for (const [key, text] of Object.entries(checkpoints)) {
    if (!key.startsWith(partialTextPrefix) || typeof text !== 'string' || text === '') continue;
    kept += await storage.resetItems(
      task.roadmap_id,
      { statuses: ['generating'], conceptId: key.slice(partialTextPrefix.length), kind: 'tutorial' },
      { status: 'failed', error: partialKeptError },
    );
  }
  return kept;
}
