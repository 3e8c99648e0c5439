import type {
  ConnectionState,
  ContentKind,
  CurrentStatusMessage,
  RoadmapApiError,
  RoadmapClient,
  RoadmapEvent,
  Task,
  Unsubscribe,
} from '@roadmap/core/client';
import { isAbort, toApiError } from './errors.js';
import { Store } from './store.js';
import { applyTaskEvent } from './taskListObserver.js';

export interface TaskState {
  task: Task | undefined;
  /** Every event of the task in `seq` order, replayed from the start, then live. */
  events: RoadmapEvent[];
  connection: ConnectionState;
  isLoading: boolean;
  error: RoadmapApiError | null;
}

const terminalEvents = new Set(['completed', 'failed', 'cancelled']);
const terminalStatuses = new Set(['completed', 'failed', 'partial_failure', 'cancelled']);

/** One task: loaded over REST, then followed over its WebSocket stream (replay from `since`, closes when it ends). */
export class TaskObserver extends Store<TaskState> {
  readonly #client: RoadmapClient;
  #taskId = '';
  #unsubscribe: Unsubscribe | undefined;
  #controller: AbortController | undefined;
  #lastSeq: number | undefined;
  #mounted = false;

  constructor(client: RoadmapClient) {
    super({ task: undefined, events: [], connection: 'connecting', isLoading: true, error: null });
    this.#client = client;
  }

  mount(taskId: string): () => void {
    if (taskId !== this.#taskId) {
      this.#taskId = taskId;
      this.#lastSeq = undefined;
      this.update({ task: undefined, events: [], isLoading: true, error: null });
    }
    this.#mounted = true;
    void this.refresh();
    return () => {
      this.#mounted = false;
      this.#controller?.abort();
      this.#disconnect();
    };
  }

  readonly refresh = async (): Promise<void> => {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.update({ isLoading: true });
    try {
      const task = await this.#client.getTask(this.#taskId, { signal: controller.signal });
      if (controller.signal.aborted) return;
      this.update({ task, isLoading: false, error: null });
      this.#follow();
    } catch (error) {
      if (controller.signal.aborted || isAbort(error)) return;
      this.update({ isLoading: false, error: toApiError(error) });
    }
  };

  readonly cancel = async (reason?: string): Promise<void> => {
    await this.#act(() => this.#client.cancelTask(this.#taskId, { reason }));
  };

  readonly retry = async (): Promise<void> => {
    await this.#act(() => this.#client.retryTask(this.#taskId));
  };

  readonly retryItem = async (conceptId: string, kind: ContentKind): Promise<void> => {
    const roadmapId = this.getSnapshot().task?.roadmap_id ?? '';
    await this.#act(() => this.#client.retryConceptContent(roadmapId, conceptId, kind));
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
    if (this.#unsubscribe || !this.#mounted) return;
    const status = this.getSnapshot().task?.status;
    // A finished task whose log was already replayed has nothing more to say.
    if (status && terminalStatuses.has(status) && this.#lastSeq !== undefined) return;
    this.#unsubscribe = this.#client.subscribeTask(this.#taskId, {
      since: this.#lastSeq ?? 0,
      onEvent: (event) => this.#receive(event),
      onStatus: (status) => this.#status(status),
      onStateChange: (connection) => {
        if (connection === 'closed') this.#unsubscribe = undefined;
        this.update({ connection });
      },
    });
  }

  #disconnect(): void {
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    unsubscribe?.();
  }

  #receive(event: RoadmapEvent): void {
    this.#lastSeq = event.seq;
    const { task, events } = this.getSnapshot();
    this.update({ events: [...events, event], task: task && applyTaskEvent(task, event) });
    // The stored task has what events do not carry (failed concepts, cancel reason).
    if (terminalEvents.has(event.type) && this.#mounted) void this.refresh();
  }

  #status(message: CurrentStatusMessage): void {
    const { task } = this.getSnapshot();
    if (!task) return;
    this.update({
      task: { ...task, status: message.status, current_step: message.current_step, progress: message.progress },
    });
  }
}
