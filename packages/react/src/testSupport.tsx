// Shared by the tests: an msw server for SPEC §3 bodies, the hand-driven WebSocket of `@roadmap/core/testing`,
// fixtures and a render helper.
import type { Roadmap, Task, TaskSummary } from '@roadmap/core/client';
import { createRoadmapClient, type RoadmapClient } from '@roadmap/core/client';
import { FakeWebSocket } from '@roadmap/core/testing';
import { cleanup, type RenderResult, render } from '@testing-library/react';
import axe from 'axe-core';
import { setupServer } from 'msw/node';
import { type ComponentType, type ReactNode, StrictMode } from 'react';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { RoadmapLabels } from './labels.js';
import { estimateRoute } from './mockRoadmapApi.js';
import { RoadmapProvider } from './provider.js';
import type { RoadmapLinkProps } from './roadmapLink.js';

export const baseUrl = 'http://roadmap.test';
export const api = (path: string) => `${baseUrl}/api/v1${path}`;
// The generate form asks for an estimate whenever its inputs are valid: answered in every test unless replaced.
export const server = setupServer(estimateRoute());
export { FakeWebSocket };

/** Registers the msw server (unhandled requests fail the test) and testing-library cleanup for this file. */
export function setUpTestServer(): void {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    cleanup();
    server.resetHandlers();
    FakeWebSocket.reset();
  });
  afterAll(() => server.close());
}

/** A client of the msw server with the fake WebSocket; `token` tells apart the logins of one test. */
export function testClient(token = 'test-token'): RoadmapClient {
  return createRoadmapClient({
    baseUrl,
    token,
    WebSocket: FakeWebSocket as unknown as typeof WebSocket,
    random: () => 0,
  });
}

export interface RenderOptions {
  strict?: boolean;
  labels?: Partial<RoadmapLabels>;
  linkComponent?: ComponentType<RoadmapLinkProps>;
}

export function renderWithProvider(
  ui: ReactNode,
  { strict = false, labels, linkComponent }: RenderOptions = {},
): RenderResult & { client: RoadmapClient } {
  const client = testClient();
  const tree = (
    <RoadmapProvider client={client} linkComponent={linkComponent} {...(labels ? { labels } : {})}>
      {ui}
    </RoadmapProvider>
  );
  return { client, ...render(strict ? <StrictMode>{tree}</StrictMode> : tree) };
}

/** Asserts that axe finds no violations (color contrast is not computable in jsdom). */
export async function expectNoAxeViolations(element: Element): Promise<void> {
  const results = await axe.run(element, { rules: { 'color-contrast': { enabled: false } } });
  expect(results.violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
}

export const timestamp = '2026-01-15T10:00:00.000Z';
const progress = { completed: 3, failed: 0, total: 9, percentage: 33 };

export function taskSummary(index: number, fields: Partial<TaskSummary> = {}): TaskSummary {
  return {
    task_id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    roadmap_id: `learn-rust-${String(index).padStart(8, '0')}`,
    title: `Learn Rust ${index}`,
    status: 'processing',
    current_step: 'content_generation',
    progress,
    created_at: timestamp,
    updated_at: timestamp,
    completed_at: null,
    error_message: null,
    usage: { calls: 12, input_tokens: 9_400, output_tokens: 14_200, cost_usd: 0.00993 },
    ...fields,
  };
}

/** `GET /roadmaps/tasks` over `tasks`, as the server answers (shared with the stories' mock API). */
export { taskListResponse as listResponse } from './mockRoadmapApi.js';

export function fullTask(fields: Partial<Task> = {}): Task {
  return {
    ...taskSummary(1),
    user_id: 'user-1',
    failed_concepts: { count: 0, concept_ids: [] },
    cancel_reason: null,
    pause_reason: null,
    review_round: 0,
    usage: { calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 },
    budget_usd: null,
    attempts: 1,
    ...fields,
  };
}

export function roadmapFixture(roadmapId = 'learn-rust-00000001'): Roadmap {
  const concept = (id: string, name: string, failed = false) => ({
    concept_id: id,
    name,
    description: `About ${name}`,
    estimated_hours: 2,
    difficulty: 'easy' as const,
    prerequisites: [],
    keywords: [],
    tutorial_status: 'completed' as const,
    resources_status: failed ? ('failed' as const) : ('completed' as const),
    quiz_status: 'pending' as const,
  });
  return {
    roadmap_id: roadmapId,
    user_id: 'user-1',
    title: 'Learn Rust',
    goal: 'Learn Rust',
    stages: [
      {
        stage_id: 's1',
        name: 'Foundations',
        description: '',
        order: 1,
        modules: [
          {
            module_id: 's1-m1',
            name: 'Ownership',
            description: '',
            concepts: [concept('s1-m1-c1', 'Moves'), concept('s1-m1-c2', 'Borrowing', true)],
          },
        ],
      },
    ],
    total_estimated_hours: 4,
    recommended_completion_weeks: 1,
    created_at: timestamp,
  };
}
