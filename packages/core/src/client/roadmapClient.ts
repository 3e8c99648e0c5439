// The browser-safe client of the REST API (SPEC §3) and its live streams: WebSocket (SPEC §4) or SSE (SPEC §8).
// Uses only `fetch` and the platform `WebSocket`; imports nothing at runtime from the rest of core.
import type { RoadmapExportFormat, UserExport } from '../domain/dataExport.js';
import { errorFromResponse, RoadmapApiError } from './clientErrors.js';
import { openEventStreamConnection } from './eventStreamConnection.js';
import { openSocketConnection } from './socketConnection.js';
import {
  type ConnectionHandlers,
  type EventSubscriptionOptions,
  openSubscription,
  type SubscriptionSettings,
  type TaskSubscriptionOptions,
  type Unsubscribe,
} from './taskSubscription.js';
import type {
  BatchCancelResponse,
  BatchCover,
  BatchGenerateCoversResponse,
  CancelTaskResponse,
  ConceptDetail,
  ContentKind,
  Cover,
  CoverImageType,
  EstimateResponse,
  GenerateRoadmapBody,
  GenerateRoadmapResponse,
  ItemVersionsResponse,
  PauseTaskResponse,
  RegenerateItemResponse,
  RestoreItemResponse,
  ResumeTaskBody,
  ResumeTaskResponse,
  RetryConceptContentResponse,
  RetryTaskResponse,
  ReviewProposalResponse,
  ReviewTaskBody,
  ReviewTaskResponse,
  Roadmap,
  RoadmapListResponse,
  Task,
  TaskListResponse,
  TaskStatus,
  TaskStatusResponse,
  UsageResponse,
} from './wireTypes.js';

/**
 * How live streams connect: `websocket` (SPEC §4), `sse` (Server-Sent Events over `fetch`, SPEC §8: for hosts that
 * cannot hold a WebSocket — serverless functions, Next.js route handlers, some proxies), or `auto`.
 */
export type RoadmapTransport = 'websocket' | 'sse' | 'auto';

export interface RoadmapClientOptions {
  /** Origin (and path prefix) of the server, e.g. `https://app.example.com`; `''` for the page's own origin. */
  baseUrl: string;
  /** Path of the API after `baseUrl`, before every REST and stream path (`/roadmaps/…`, `/ws`, `/events`). Default: `'/api/v1'`. */
  basePath?: string;
  /**
   * How live streams connect. `auto` (the default) uses the WebSocket, and falls back to SSE for good (for every
   * stream of this client) when there is no `WebSocket` class, or when a socket closed before it opened while the
   * stream's REST twin answered with the same token (the server is up, the upgrade is what fails: a serverless host,
   * a proxy). `sse` never tries a WebSocket: pick it for Next.js and serverless hosts. `websocket` never uses SSE.
   * Both resume from the last `seq` after a reconnect, with no gap and no duplicate. Default: `'auto'`.
   */
  transport?: RoadmapTransport;
  /** Bearer JWT, or a function asked before each request and each connection (so it can refresh). Default: none. */
  token?: string | (() => string | Promise<string>);
  /** Default: `globalThis.fetch`, looked up at each call. */
  fetch?: typeof fetch;
  /** Default: `globalThis.WebSocket`, looked up at each connection (Node 20 has none: pass the `ws` package's, or use SSE). */
  WebSocket?: typeof WebSocket;
  /** Timers of reconnects and pings. Default: the global ones. */
  setTimeout?: (callback: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  /** Source of reconnect jitter, in [0, 1). Default: `Math.random`. */
  random?: () => number;
  /** First reconnect delay; it doubles on each failed attempt. Default: 500. */
  reconnectDelayMs?: number;
  /** Longest reconnect delay. Default: 30 000. */
  maxReconnectDelayMs?: number;
  /** A connection open this long resets the reconnect delay. Default: 10 000. */
  stableConnectionMs?: number;
  /** Interval of `{ type: 'ping' }` messages. Default: 25 000. */
  pingIntervalMs?: number;
  /**
   * Called once per refused token when a live stream is refused because of its credential, instead of reconnecting
   * forever: the token expired or was revoked (`401` on the SSE request, or on the stream's REST twin — `GET
   * /roadmaps/tasks` or `GET /roadmaps/tasks/{task_id}`, asked with the same token after a WebSocket closed without
   * opening, since a browser cannot see why an upgrade was refused — or the server closed the stream with `closing
   * { reason: "token_expired" }` and the token function still returns that token), or it may not read that task
   * (`403`). After a 401 each stream waits without connecting, asking the token function again at each reconnect
   * delay (up to `maxReconnectDelayMs`), and resumes from its last `seq` once it returns another token; with a fixed
   * `token` string, and after a 403, the stream stops (`closed`). Typically: sign the user in again and let the
   * token function return the new token. Default: none — streams behave the same, and each stream's `onRefused`
   * (and `TaskObserver`'s `error`) still shows the refusal.
   */
  onAuthError?: (error: RoadmapApiError) => void;
}

/** Options every method accepts. */
export interface RequestOptions {
  /** Aborts the request; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface GenerateRoadmapOptions extends RequestOptions {
  /** Repeating a request with the same key returns the first task instead of starting another. */
  idempotencyKey?: string;
}

export interface ListTasksOptions extends RequestOptions {
  status?: TaskStatus;
  /** Page size, 1–100. Server default: 50. */
  limit?: number;
  offset?: number;
}

export interface CancelTaskOptions extends RequestOptions {
  /** Recorded with the task and sent in its `cancelled` event. */
  reason?: string;
}

interface Call extends RequestOptions {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
}

/** A document `client.exportRoadmap` downloaded. */
export interface ExportedFile {
  /** The document (`text/markdown` or `application/json`); `await blob.text()` reads it. */
  blob: Blob;
  /** The file name to save it under, e.g. `learn-rust-1a2b3c4d.md`. */
  filename: string;
}

/** `202` of `DELETE /me`: how many of each kind were erased. */
export interface DeleteMeResponse {
  deleted: { tasks: number; roadmaps: number; items: number; events: number; covers: number; blobs: number };
}

export type RoadmapClient = ReturnType<typeof createRoadmapClient>;

/**
 * A typed client of one Roadmap Kit server.
 *
 * @example
 * const client = createRoadmapClient({ baseUrl: '', token: () => auth.getToken() });
 * const { task_id } = await client.generateRoadmap({ preferences: { learning_goal: 'Learn Rust' } });
 * const unsubscribe = client.subscribeTask(task_id, { onEvent: (event) => console.log(event.type) });
 */
export function createRoadmapClient(options: RoadmapClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '') + (options.basePath ?? '/api/v1').replace(/\/+$/, '');
  const segment = encodeURIComponent;
  /** The transport of the next connection: `auto` until it settled on one. */
  let transport = options.transport ?? 'auto';
  /** `status token` of the last refusal told to `onAuthError`. */
  let toldRefusal: string | undefined;

  const token = async () => (typeof options.token === 'function' ? options.token() : options.token);

  /** One request; the response when it is a success, a {@link RoadmapApiError} otherwise. */
  async function send(
    path: string,
    { method = 'GET', json, body, headers = {}, signal }: Call = {},
    bearer?: string | null,
  ): Promise<Response> {
    if (bearer === undefined) bearer = await token();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(json);
    }
    let response: Response;
    try {
      response = await (options.fetch ?? fetch).call(globalThis, `${base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new RoadmapApiError('The server could not be reached.', { status: 0, code: 'network_error', cause: error });
    }
    if (!response.ok) throw await errorFromResponse(response);
    return response;
  }

  async function call<T>(path: string, request?: Call, bearer?: string | null): Promise<T> {
    const response = await send(path, request, bearer);
    const text = await response.text();
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch (error) {
      throw new RoadmapApiError('The server sent a response that is not JSON.', {
        status: response.status,
        code: 'invalid_response',
        cause: error,
      });
    }
  }

  const post = <T>(path: string, json?: unknown, request?: RequestOptions) =>
    call<T>(path, { ...request, method: 'POST', json });

  /**
   * One connection to a stream (`/ws…` for the socket, `/…/events` for SSE) over the transport in use. After a
   * socket that closed without opening, its REST twin is asked with the same token: a 401, 403 or 404 is a refusal;
   * a success under `auto` means the upgrade is what fails, and the client moves to SSE.
   */
  const streamOf =
    (socketPath: string, eventsPath: string, accessPath: string): SubscriptionSettings['open'] =>
    (since: number | undefined, bearer: string | undefined, handlers: ConnectionHandlers) => {
      const Socket = options.WebSocket ?? globalThis.WebSocket;
      if (transport === 'sse' || (transport === 'auto' && !Socket)) {
        if (transport === 'auto') transport = 'sse';
        return openEventStreamConnection(options.fetch ?? fetch, `${base}${eventsPath}`, bearer, since, handlers);
      }
      const query = new URLSearchParams();
      if (bearer) query.set('token', bearer);
      if (since !== undefined) query.set('since', String(since));
      const origin = base.startsWith('http')
        ? base.replace(/^http/, 'ws')
        : `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${base}`;
      const search = query.toString();
      return openSocketConnection(new Socket(`${origin}${socketPath}${search ? `?${search}` : ''}`), handlers, () =>
        call(accessPath, {}, bearer ?? null).then(
          () => {
            if (transport === 'auto') transport = 'sse';
          },
          (error) => {
            if (RoadmapApiError.isInstance(error) && [401, 403, 404].includes(error.status)) handlers.onRefused(error);
          },
        ),
      );
    };

  const subscribe = (
    open: SubscriptionSettings['open'],
    subscription: TaskSubscriptionOptions,
    stopOnTerminal: boolean,
  ): Unsubscribe => {
    if (transport === 'websocket' && !(options.WebSocket ?? globalThis.WebSocket)) {
      throw new TypeError("No WebSocket: pass the `WebSocket` option, or use transport 'sse'.");
    }
    return openSubscription(
      {
        token,
        tokenCanChange: typeof options.token === 'function',
        open,
        setTimeout: options.setTimeout ?? ((callback, ms) => setTimeout(callback, ms)),
        clearTimeout: options.clearTimeout ?? ((handle) => clearTimeout(handle as number)),
        random: options.random ?? Math.random,
        initialDelayMs: options.reconnectDelayMs ?? 500,
        maxDelayMs: options.maxReconnectDelayMs ?? 30_000,
        stableAfterMs: options.stableConnectionMs ?? 10_000,
        pingIntervalMs: options.pingIntervalMs ?? 25_000,
        onAuthError: (error, refused) => {
          const key = `${error.status} ${refused}`;
          if (key === toldRefusal) return;
          toldRefusal = key;
          options.onAuthError?.(error);
        },
      },
      subscription,
      stopOnTerminal,
    );
  };

  return {
    /**
     * The transport of the streams' next connections: `websocket` or `sse`; `auto` until an `auto` client settled
     * (it settles on `sse` when it falls back, and stays there).
     */
    get transport(): RoadmapTransport {
      return transport;
    },

    /** `POST /roadmaps/generate`: starts a task (202). */
    generateRoadmap: (body: GenerateRoadmapBody, { idempotencyKey, signal }: GenerateRoadmapOptions = {}) =>
      call<GenerateRoadmapResponse>('/roadmaps/generate', {
        method: 'POST',
        json: body,
        ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
        ...(signal ? { signal } : {}),
      }),

    /** `GET /roadmaps/tasks`: the caller's tasks, newest first, with counts per status. */
    listTasks: ({ status, limit, offset, signal }: ListTasksOptions = {}) => {
      const query = new URLSearchParams();
      if (status) query.set('status', status);
      if (limit !== undefined) query.set('limit', String(limit));
      if (offset !== undefined) query.set('offset', String(offset));
      const search = query.toString();
      return call<TaskListResponse>(`/roadmaps/tasks${search ? `?${search}` : ''}`, signal ? { signal } : {});
    },

    /** `GET /roadmaps/tasks/{task_id}`: the full task. */
    getTask: (taskId: string, request?: RequestOptions) => call<Task>(`/roadmaps/tasks/${segment(taskId)}`, request),

    /** `POST /roadmaps/estimate`: calls, tokens and cost a generation with this body is expected to use. */
    estimate: (body: GenerateRoadmapBody, { signal }: RequestOptions = {}) =>
      call<EstimateResponse>('/roadmaps/estimate', { method: 'POST', json: body, ...(signal ? { signal } : {}) }),

    /** `GET /usage`: what the caller's tasks used in the current budget period, and that period's budget. */
    getUsage: (request?: RequestOptions) => call<UsageResponse>('/usage', request),

    /** `GET /roadmaps/{task_id}/status`. */
    getTaskStatus: (taskId: string, request?: RequestOptions) =>
      call<TaskStatusResponse>(`/roadmaps/${segment(taskId)}/status`, request),

    /** `POST /roadmaps/tasks/{task_id}/cancel`: `400 task_not_cancellable` unless `pending` or `processing`. */
    cancelTask: (taskId: string, { reason, ...request }: CancelTaskOptions = {}) =>
      post<CancelTaskResponse>(
        `/roadmaps/tasks/${segment(taskId)}/cancel`,
        reason === undefined ? {} : { reason },
        request,
      ),

    /**
     * `POST /roadmaps/tasks/cancel`: cancels the named tasks (1–100) or every task of the caller in a status
     * (`pending`, `processing`, `active`) in one request; each id comes back under its outcome.
     */
    cancelTasks: (
      selection: { task_ids: readonly string[] } | { status: 'pending' | 'processing' | 'active' },
      { reason, ...request }: CancelTaskOptions = {},
    ) =>
      post<BatchCancelResponse>(
        '/roadmaps/tasks/cancel',
        reason === undefined ? selection : { ...selection, reason },
        request,
      ),

    /**
     * `POST /roadmaps/tasks/{task_id}/pause`: no model call of a `pending` or `processing` task starts after the
     * answer; calls in flight finish and are stored, or are aborted with `abortInFlight`. `400 task_not_pausable`
     * otherwise (a paused task answers as it did).
     */
    pauseTask: (taskId: string, { abortInFlight, ...request }: RequestOptions & { abortInFlight?: boolean } = {}) =>
      post<PauseTaskResponse>(
        `/roadmaps/tasks/${segment(taskId)}/pause`,
        abortInFlight === undefined ? {} : { abort_in_flight: abortInFlight },
        request,
      ),

    /**
     * `POST /roadmaps/tasks/{task_id}/resume`: a paused task continues, repeating nothing stored (202). `budgetUsd`
     * sets its budget with the resume (a task paused on budget is given more).
     */
    resumeTask: (taskId: string, { budgetUsd, ...request }: RequestOptions & { budgetUsd?: number } = {}) =>
      post<ResumeTaskResponse>(
        `/roadmaps/tasks/${segment(taskId)}/resume`,
        budgetUsd === undefined ? undefined : ({ budget_usd: budgetUsd } satisfies ResumeTaskBody),
        request,
      ),

    /** `GET /roadmaps/tasks/{task_id}/review`: the framework a task in `human_review_pending` proposes. */
    getReview: (taskId: string, request?: RequestOptions) =>
      call<ReviewProposalResponse>(`/roadmaps/tasks/${segment(taskId)}/review`, request),

    /**
     * `POST /roadmaps/tasks/{task_id}/review`: approve the proposal (content generation starts) or request changes
     * with `feedback` (the model edits the framework and the task comes back for review). 202.
     */
    reviewTask: (taskId: string, body: ReviewTaskBody, request?: RequestOptions) =>
      post<ReviewTaskResponse>(`/roadmaps/tasks/${segment(taskId)}/review`, body, request),

    /** `POST /roadmaps/tasks/{task_id}/retry`: resumes a failed, partially failed or cancelled task (202). */
    retryTask: (taskId: string, request?: RequestOptions) =>
      post<RetryTaskResponse>(`/roadmaps/tasks/${segment(taskId)}/retry`, undefined, request),

    /**
     * `DELETE /roadmaps/tasks/{task_id}` (SPEC §9): the task goes with its roadmap, content, versions, events and
     * cover; an active task is cancelled first, its model calls aborted. The server then sends one `deleted` event
     * on the user's stream. Resolves once the server answered `204`; `403` another user's task, `404` none.
     */
    deleteTask: (taskId: string, request?: RequestOptions) =>
      call<void>(`/roadmaps/tasks/${segment(taskId)}`, { ...request, method: 'DELETE' }),

    /**
     * `GET /roadmaps/{roadmap_id}/export?format=md|json` (SPEC §9): the whole roadmap with every generated item, as
     * one Markdown document or JSON, with the file name the server gave it (`Content-Disposition`; the roadmap id and
     * the format's extension when it gave none).
     *
     * @example
     * const { blob, filename } = await client.exportRoadmap(roadmapId, { format: 'md' });
     */
    exportRoadmap: async (
      roadmapId: string,
      {
        format = 'md',
        ...request
      }: RequestOptions & {
        /** `md` (Markdown: a heading per stage, module and concept, answers at the end) or `json`. Default: `md`. */
        format?: RoadmapExportFormat;
      } = {},
    ): Promise<ExportedFile> => {
      const response = await send(`/roadmaps/${segment(roadmapId)}/export?format=${format}`, request);
      // RFC 6266: the percent-encoded `filename*=UTF-8''…` when given, else `filename="…"`.
      const disposition = response.headers.get('content-disposition') ?? '';
      const encoded = /filename\*=[\w-]+'[^']*'([^;\s]+)/i.exec(disposition)?.[1];
      const plain = /filename="?([^";]+)/i.exec(disposition)?.[1];
      return {
        blob: await response.blob(),
        filename: encoded ? decodeURIComponent(encoded) : plain || `${roadmapId}.${format}`,
      };
    },

    /** `GET /me/export` (SPEC §9): everything stored for the caller (tasks, roadmaps with content, covers, usage). */
    exportMe: (request?: RequestOptions) => call<UserExport>('/me/export', request),

    /**
     * `DELETE /me` (SPEC §9): erases every task, roadmap, item, event, cover and image of the caller; resolves with
     * what was deleted once all of it is gone. Idempotent: a second call deletes nothing more.
     */
    deleteMe: (request?: RequestOptions) => call<DeleteMeResponse>('/me', { ...request, method: 'DELETE' }),

    /**
     * `GET /roadmaps?limit=&cursor=`: one page of the caller's roadmaps, newest first; pass the page's
     * `next_cursor` as `cursor` for the next one (`null` on the last page).
     */
    listRoadmaps: ({
      limit,
      cursor,
      signal,
    }: RequestOptions & {
      /** Page size, 1–100. Server default: 50. */
      limit?: number;
      /** The `next_cursor` of the previous page; omitted for the first page. */
      cursor?: string;
    } = {}) => {
      const query = new URLSearchParams();
      if (limit !== undefined) query.set('limit', String(limit));
      if (cursor !== undefined) query.set('cursor', cursor);
      const search = query.toString();
      return call<RoadmapListResponse>(`/roadmaps${search ? `?${search}` : ''}`, signal ? { signal } : {});
    },

    /** `GET /roadmaps/{roadmap_id}`: stages → modules → concepts with their content statuses. */
    getRoadmap: (roadmapId: string, request?: RequestOptions) =>
      call<Roadmap>(`/roadmaps/${segment(roadmapId)}`, request),

    /** `GET /roadmaps/{roadmap_id}/concepts/{concept_id}`: the concept and its content (`null` until generated). */
    getConcept: (roadmapId: string, conceptId: string, request?: RequestOptions) =>
      call<ConceptDetail>(`/roadmaps/${segment(roadmapId)}/concepts/${segment(conceptId)}`, request),

    /** `POST /roadmaps/{roadmap_id}/concepts/{concept_id}/{kind}/retry`: generates one piece of content again (202). */
    retryConceptContent: (roadmapId: string, conceptId: string, kind: ContentKind, request?: RequestOptions) =>
      post<RetryConceptContentResponse>(
        `/roadmaps/${segment(roadmapId)}/concepts/${segment(conceptId)}/${kind}/retry`,
        undefined,
        request,
      ),

    /**
     * `POST …/concepts/{concept_id}/{kind}/regenerate`: generates one completed item of a finished task again with
     * `feedback` (1–2,000 characters); the previous version is kept (202, with the version being made).
     */
    regenerateItem: (
      roadmapId: string,
      conceptId: string,
      kind: ContentKind,
      feedback: string,
      request?: RequestOptions,
    ) =>
      post<RegenerateItemResponse>(
        `/roadmaps/${segment(roadmapId)}/concepts/${segment(conceptId)}/${kind}/regenerate`,
        { feedback },
        request,
      ),

    /** `GET …/concepts/{concept_id}/{kind}/versions`: every version of the item, oldest first, `current` marked. */
    listItemVersions: (roadmapId: string, conceptId: string, kind: ContentKind, request?: RequestOptions) =>
      call<ItemVersionsResponse>(
        `/roadmaps/${segment(roadmapId)}/concepts/${segment(conceptId)}/${kind}/versions`,
        request,
      ),

    /** `POST …/concepts/{concept_id}/{kind}/versions/{version}/restore`: shows an earlier version again. */
    restoreItemVersion: (
      roadmapId: string,
      conceptId: string,
      kind: ContentKind,
      version: number,
      request?: RequestOptions,
    ) =>
      post<RestoreItemResponse>(
        `/roadmaps/${segment(roadmapId)}/concepts/${segment(conceptId)}/${kind}/versions/${version}/restore`,
        undefined,
        request,
      ),

    /** `GET /roadmap/{roadmap_id}/cover-image`. */
    getCover: (roadmapId: string, request?: RequestOptions) =>
      call<Cover>(`/roadmap/${segment(roadmapId)}/cover-image`, request),

    /** `POST /roadmap/{roadmap_id}/cover-image/generate`: the cover comes back `pending` or `generating` (202). */
    generateCover: (roadmapId: string, request?: RequestOptions) =>
      post<Cover>(`/roadmap/${segment(roadmapId)}/cover-image/generate`, undefined, request),

    /**
     * `PUT /roadmap/{roadmap_id}/cover-image`: PNG, JPEG or WebP, at most 2 MB (`413` above).
     * `contentType` defaults to the blob's own type.
     */
    uploadCover: (
      roadmapId: string,
      image: Blob | ArrayBuffer | ArrayBufferView,
      contentType?: CoverImageType,
      request?: RequestOptions,
    ) =>
      call<Cover>(`/roadmap/${segment(roadmapId)}/cover-image`, {
        ...request,
        method: 'PUT',
        body: image as BodyInit,
        headers: { 'content-type': contentType ?? ((image as Blob).type || 'application/octet-stream') },
      }),

    /** `POST /cover-images/batch-get`: 1–100 covers in request order; unknown ids come back as `not_found`. */
    batchGetCovers: (roadmapIds: readonly string[], request?: RequestOptions) =>
      post<BatchCover[]>('/cover-images/batch-get', { roadmap_ids: roadmapIds }, request),

    /** `POST /cover-images/batch-generate`: starts covers that are `not_started` or `failed`, skips the rest. */
    batchGenerateCovers: (roadmapIds: readonly string[], request?: RequestOptions) =>
      post<BatchGenerateCoversResponse>('/cover-images/batch-generate', { roadmap_ids: roadmapIds }, request),

    /**
     * Live events of one task (`{basePath}/ws/{task_id}`, or `{basePath}/roadmaps/tasks/{task_id}/events` over SSE),
     * resumed without gaps or duplicates across reconnects. Closes by itself after the task ends unless
     * `followRetries` is set.
     */
    subscribeTask: (taskId: string, subscription: TaskSubscriptionOptions): Unsubscribe => {
      const task = `/roadmaps/tasks/${segment(taskId)}`;
      return subscribe(streamOf(`/ws/${segment(taskId)}`, `${task}/events`, task), subscription, true);
    },

    /**
     * Live events of all the caller's tasks (`{basePath}/ws`, or `{basePath}/events` over SSE), for task lists.
     * Runs until unsubscribed.
     */
    subscribeEvents: (subscription: EventSubscriptionOptions): Unsubscribe =>
      subscribe(streamOf('/ws', '/events', '/roadmaps/tasks?limit=1'), subscription, false),
  };
}
