import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBlobStore } from '../covers/memoryBlobStore.js';
import { createDemoModel } from '../demo/demoModel.js';
import type { RoadmapExport } from '../domain/dataExport.js';
import { createMemoryQueue } from '../queue/memoryQueue.js';
import { RoadmapError } from '../shared/errors.js';
import { createMemoryStorage } from '../storage/memoryStorage.js';
import { terminalEvent } from '../testing/engineHelpers.js';
import { conceptsOf } from './dataExport.js';
import { RoadmapEngine } from './engine.js';

let engine: RoadmapEngine;
afterEach(async () => {
  await engine?.stop();
});

async function startEngine() {
  engine = new RoadmapEngine({
    storage: createMemoryStorage(),
    queue: createMemoryQueue(),
    model: createDemoModel({ latencyMs: 0 }),
    blobStore: createMemoryBlobStore(),
    onError: () => {},
  });
  await engine.start();
  return engine;
}

async function generate(userId: string, learningGoal: string) {
  const { task } = await engine.generate({ userId, request: { preferences: { learning_goal: learningGoal } } });
  await terminalEvent(engine, task.task_id);
  return task;
}

async function rejection(promise: Promise<unknown>): Promise<RoadmapError> {
  try {
    await promise;
  } catch (error) {
    if (RoadmapError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a RoadmapError');
}

describe('exportRoadmap', () => {
  it('as Markdown: a heading per stage, module and concept, tutorials, resources as links, an answer key at the end', async () => {
    await startEngine();
    const task = await generate('u1', 'Learn Rust');
    const roadmap = await engine.getRoadmap(task.roadmap_id);
    const document = await engine.exportRoadmap(task.roadmap_id, { userId: 'u1', format: 'md' });
    expect(document).toMatchObject({
      filename: `${task.roadmap_id}.md`,
      contentType: 'text/markdown; charset=utf-8',
    });
    const markdown = document.body;
    expect(markdown.startsWith(`# ${roadmap?.title}\n`)).toBe(true);
    for (const stage of roadmap?.stages ?? []) {
      expect(markdown).toContain(`## Stage ${stage.order}: ${stage.name}\n`);
      for (const module of stage.modules) expect(markdown).toContain(`### ${module.name}\n`);
    }
    const concepts = conceptsOf(roadmap as NonNullable<typeof roadmap>);
    for (const concept of concepts) expect(markdown).toContain(`#### ${concept.name}\n`);
    expect(markdown).toMatch(/- \[The Rust Programming Language\]\(https:\/\/doc\.rust-lang\.org\/book\/\)/);
    const key = markdown.slice(markdown.indexOf('\n## Answer key\n'));
    expect(key.length).toBeGreaterThan(20);
    // Every concept's quiz answered in the key, and no answer above it.
    expect(key.match(/^### /gm)).toHaveLength(concepts.length);
    expect(markdown.slice(0, markdown.indexOf('\n## Answer key\n'))).not.toMatch(/\*\*Answers?:\*\*/);
  });

  it('as JSON: the roadmap, every concept with its items, and the cover', async () => {
    await startEngine();
    const task = await generate('u1', 'Learn Go');
    const document = await engine.exportRoadmap(task.roadmap_id, { userId: 'u1' });
    expect(document.filename).toBe(`${task.roadmap_id}.json`);
    const data = JSON.parse(document.body) as RoadmapExport;
    expect(data.roadmap.roadmap_id).toBe(task.roadmap_id);
    expect(data.concepts.length).toBe(conceptsOf(data.roadmap).length);
    expect(data.concepts.every((detail) => detail.tutorial && detail.resources && detail.quiz)).toBe(true);
    expect(data.cover.roadmap_id).toBe(task.roadmap_id);
  });

  it("refuses another user's roadmap, an unknown one and an unknown format", async () => {
    await startEngine();
    const task = await generate('u1', 'Learn Go');
    expect((await rejection(engine.exportRoadmap(task.roadmap_id, { userId: 'u2' }))).code).toBe('forbidden');
    expect((await rejection(engine.exportRoadmap('learn-nothing-00000000', { userId: 'u1' }))).code).toBe('not_found');
    const format = 'pdf' as unknown as 'md';
    expect((await rejection(engine.exportRoadmap(task.roadmap_id, { userId: 'u1', format }))).code).toBe(
      'invalid_input',
    );
  });
});

describe('exportUser', () => {
  it("holds every task and roadmap of the user with their content and usage, and nothing of another user's", async () => {
    await startEngine();
    const first = await generate('u1', 'Learn Rust');
    const second = await generate('u1', 'Learn watercolor painting');
    const foreign = await generate('u2', 'Learn Go');
    const data = await engine.exportUser('u1');
    expect(data.user_id).toBe('u1');
    expect(data.tasks.map((task) => task.task_id).sort()).toEqual([first.task_id, second.task_id].sort());
    expect(data.tasks.every((task) => task.usage.calls > 0)).toBe(true);
    expect(data.roadmaps.map((entry) => entry.roadmap.roadmap_id).sort()).toEqual(
      [first.roadmap_id, second.roadmap_id].sort(),
    );
    expect(data.roadmaps.every((entry) => entry.concepts.every((detail) => detail.quiz !== null))).toBe(true);
    expect(data.usage.calls).toBe(data.tasks.reduce((sum, task) => sum + task.usage.calls, 0));
    expect(JSON.stringify(data)).not.toContain(foreign.roadmap_id);
    expect(await engine.exportUser('nobody')).toMatchObject({ tasks: [], roadmaps: [] });
  });
});
