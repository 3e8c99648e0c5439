import { describe, expectTypeOf, it } from 'vitest';
import type {
  BatchCover,
  Cover,
  CurrentStatusMessage,
  RoadmapEvent,
  RoadmapTransport,
  Task,
  TaskListResponse,
} from './index.js';
import { createRoadmapClient, RoadmapApiError } from './index.js';

const client = createRoadmapClient({ baseUrl: '' });

describe('@roadmap/core/client types', () => {
  it('types each response after SPEC §3', () => {
    expectTypeOf(client.getTask('t')).resolves.toEqualTypeOf<Task>();
    expectTypeOf(client.listTasks()).resolves.toEqualTypeOf<TaskListResponse>();
    expectTypeOf(client.getCover('r')).resolves.toEqualTypeOf<Cover>();
    expectTypeOf(client.batchGetCovers(['r'])).resolves.toEqualTypeOf<BatchCover[]>();
    expectTypeOf(client.cancelTask('t')).resolves.toHaveProperty('previous_status');
    expectTypeOf(client.retryTask('t')).resolves.toHaveProperty('items_to_retry').toEqualTypeOf<number>();
  });

  it('checks arguments', () => {
    // @ts-expect-error not a content kind
    client.retryConceptContent('r', 'c', 'video');
    // @ts-expect-error not a task status
    client.listTasks({ status: 'done' });
    // @ts-expect-error learning_goal is required
    client.generateRoadmap({ preferences: {} });
    // @ts-expect-error not an accepted image type
    client.uploadCover('r', new Blob(), 'image/gif');
  });

  it('narrows events and errors', () => {
    client.subscribeTask('t', {
      onEvent: (event) => {
        expectTypeOf(event).toEqualTypeOf<RoadmapEvent>();
        if (event.type === 'cancelled') expectTypeOf(event.reason).toEqualTypeOf<string | null>();
      },
      onStatus: (status) => expectTypeOf(status).toEqualTypeOf<CurrentStatusMessage>(),
    });
    const error: unknown = new Error('x');
    if (RoadmapApiError.isInstance(error)) expectTypeOf(error.retryAfterSeconds).toEqualTypeOf<number | undefined>();
  });

  it('takes a transport, a base path and onAuthError', () => {
    const sse = createRoadmapClient({
      baseUrl: '',
      basePath: '/roadmap-api',
      transport: 'sse',
      token: () => 'jwt',
      onAuthError: (error) => expectTypeOf(error).toEqualTypeOf<RoadmapApiError>(),
    });
    expectTypeOf(sse.transport).toEqualTypeOf<RoadmapTransport>();
    expectTypeOf<RoadmapTransport>().toEqualTypeOf<'websocket' | 'sse' | 'auto'>();
    // @ts-expect-error not a transport
    createRoadmapClient({ baseUrl: '', transport: 'polling' });
    sse.subscribeEvents({
      onEvent: () => {},
      onRefused: (error) => expectTypeOf(error.status).toEqualTypeOf<number>(),
    });
  });
});
