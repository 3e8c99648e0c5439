import { applyTaskEvent } from './applyTaskEvent.js';
import type { RoadmapCache } from './roadmapCache.js';
import { type LoadState, SharedObserver } from './sharedObserver.js';
import type { ConnectionState, Unsubscribe } from './taskSubscription.js';
import { toApiError } from './toApiError.js';
import type { ContentKind, CurrentStatusMessage, RoadmapEvent, Task } from './wireTypes.js';

/** What a {@link TaskObserver} knows of its task. */
export interface TaskState extends LoadState {
  /** The full task, kept live; `undefined` until loaded. */
  task: Task | undefined;
  /** Every event of the task in `seq` order, replayed from the start, then live. */
  events: RoadmapEvent[];
  /** State of the task's stream; `closed` once the task ended and the server closed it. */
  connection: ConnectionState;
  /** True once {@link TaskObserver.delete} deleted the task: it is gone from the server, its stream closed. */
  deleted: boolean;
}

const terminalEvents = new Set(['completed', 'failed', 'cancelled']);
/** Events after which the stored task has fields the event does not carry (review round, pause reason). */
const reloadEvents = new Set(['review_requested', 'paused', 'resumed']);
const terminalStatuses = new Set(['completed', 'failed', 'partial_failure', 'cancelled']);

/**
 * One task, shared by everyone watching it through the same {@link RoadmapCache}: loaded over REST, then followed
 * over one WebSocket stream (replay from the start of its log; the stream closes when the task ends and opens again
 * after a retry).
 *
 * @example
 * const observer = cache.task(taskId);
 * const stop = observer.subscribe(() => render(observer.getSnapshot()));
 */
export class TaskObserver extends SharedObserver<TaskState> {
  /** The task this observer follows. */
  readonly taskId: string;
  #unsubscribe: Unsubscribe | undefined;
  #lastSeq: number | undefined;

  constructor(cache: RoadmapCache, key: string, taskId: string) {
    super(cache, key, {
      task: undefined,
      events: [],
      connection: 'connecting',
      deleted: false,
      isLoading: true,
      error: null,
    });
    this.taskId = taskId;
  }

  protected start(): void {
    void this.refresh();
  }

  protected override stop(): void {
    super.stop();
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    unsubscribe?.();
  }

  /** Loads the task again (and opens its stream if it is not open); nothing once it was deleted. */
  readonly refresh = async (): Promise<void> => {
    if (this.getSnapshot().deleted) return;
    const loaded = await this.load(
      (signal) => this.cache.client.getTask(this.taskId, { signal }),
      (task) => ({ task }),
    );
    if (loaded) this.#follow();
  };

  /** Cancels the task (`pending`/`processing` only); rejects with the server's error, also kept in `error`. */
  readonly cancel = async (reason?: string): Promise<void> => {
    await this.#act(() => this.cache.client.cancelTask(this.taskId, { reason }));
  };

  /**
   * Pauses the task (`pending`/`processing`): no model call starts after it; calls in flight finish and are stored,
   * or are aborted with `abortInFlight`. Rejects with the server's error, also kept in `error`.
   */
  readonly pause = async (options: { abortInFlight?: boolean } = {}): Promise<void> => {
    await this.#act(() => this.cache.client.pauseTask(this.taskId, options));
  };

  /**
   * Resumes a paused task: it continues from what is stored. `budgetUsd` sets its budget with the resume (a task
   * paused on budget is given more).
   */
  readonly resume = async (options: { budgetUsd?: number } = {}): Promise<void> => {
    await this.#act(() => this.cache.client.resumeTask(this.taskId, options));
  };

  /** Answers the task's human review: approve, or request changes with `feedback`. */
  readonly review = async (approved: boolean, feedback?: string): Promise<void> => {
    await this.#act(() =>
      this.cache.client.reviewTask(this.taskId, feedback === undefined ? { approved } : { approved, feedback }),
    );
  };

  /**
   * Deletes the task with its roadmap, content and cover (SPEC §9; an active task is cancelled first): `deleted`
   * turns true and the stream closes. Rejects with the server's error, also kept in `error`.
   */
  readonly delete = async (): Promise<void> => {
    try {
      await this.cache.client.deleteTask(this.taskId);
    } catch (error) {
      const apiError = toApiError(error);
      this.update({ error: apiError });
      throw apiError;
    }
    this.cache.deletedTasks.add(this.taskId);
    this.stop();
    this.update({ deleted: true, connection: 'closed', error: null });
  };

  /** Retries a failed, partially failed or cancelled task and follows it again. */
  readonly retry = async (): Promise<void> => {
    await this.#act(() => this.cache.client.retryTask(this.taskId));
  };

  /** Generates one content item of a concept again. */
  readonly retryItem = async (conceptId: string, kind: ContentKind): Promise<void> => {
    const roadmapId = this.getSnapshot().task?.roadmap_id ?? '';
    await this.#act(() => this.cache.client.retryConceptContent(roadmapId, conceptId, kind));
  };

  async #act(request: () => Promise<unknown>): Promise<void> {
    try {
      await request();
    } catch (error) {
      const apiError = toApiError(error);
      this.update({ error: apiError });
      throw apiError;
    }
    await this.refresh();
  }

  /** Opens the task's stream unless one is open; a finished task's stream replays its log, then the server closes it. */
  #follow(): void {
    if (this.#unsubscribe || !this.live) return;
    const status = this.getSnapshot().task?.status;
    // A finished task whose log was already replayed has nothing more to say.
    if (status && terminalStatuses.has(status) && this.#lastSeq !== undefined) return;
    this.#unsubscribe = this.cache.client.subscribeTask(this.taskId, {
      since: this.#lastSeq ?? 0,
      onEvent: (event) => this.#receive(event),
      onStatus: (message) => this.#status(message),
      onStateChange: (connection) => {
        if (connection === 'closed') this.#unsubscribe = undefined;
        // Open again after a refused token: a new token was accepted, so its refusal no longer holds.
        this.update(
          connection === 'open' && this.getSnapshot().error?.status === 401
            ? { connection, error: null }
            : { connection },
        );
      },
      // The task is gone (deleted), no longer the caller's, or the token was refused: show why.
      onRefused: (error) => this.update({ error }),
    });
  }

  #receive(event: RoadmapEvent): void {
    this.#lastSeq = event.seq;
    const { task, events } = this.getSnapshot();
    this.update({ events: [...events, event], task: task && applyTaskEvent(task, event) });
    // The stored task has what events do not carry (failed concepts, cancel reason).
    if ((terminalEvents.has(event.type) || reloadEvents.has(event.type)) && this.live) void this.refresh();
  }

  #status(message: CurrentStatusMessage): void {
    const { task } = this.getSnapshot();
    if (!task) return;
    this.update({
      task: { ...task, status: message.status, current_step: message.current_step, progress: message.progress },
    });
  }
}
