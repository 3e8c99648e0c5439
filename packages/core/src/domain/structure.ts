import type { Curriculum, ReviewIssue, Roadmap } from './schemas.js';

/**
 * Structural checks of a designed curriculum: non-empty stages and modules, unique concept names,
 * prerequisites that exist and no dependency cycles. Every finding is `critical`.
 */
export function checkStructure(curriculum: Curriculum): ReviewIssue[] {
  const issues: ReviewIssue[] = [];
  const critical = (location: string, message: string) => issues.push({ severity: 'critical', location, message });
  if (curriculum.stages.length === 0) critical('stages', 'The roadmap has no stages.');
  const names = new Map<string, string[]>();
  curriculum.stages.forEach((stage, stageIndex) => {
    if (stage.modules.length === 0) critical(`stages.${stageIndex}`, `Stage "${stage.name}" has no modules.`);
    stage.modules.forEach((module, moduleIndex) => {
      if (module.concepts.length === 0) {
        critical(`stages.${stageIndex}.modules.${moduleIndex}`, `Module "${module.name}" has no concepts.`);
      }
      for (const concept of module.concepts) {
        const key = concept.name.trim().toLowerCase();
        if (names.has(key)) critical(concept.name, `Concept "${concept.name}" appears more than once.`);
        names.set(
          key,
          concept.prerequisites.map((name) => name.trim().toLowerCase()),
        );
      }
    });
  });
  for (const [name, prerequisites] of names) {
    for (const prerequisite of prerequisites) {
      if (prerequisite === name) critical(name, `Concept "${name}" lists itself as a prerequisite.`);
      else if (!names.has(prerequisite)) critical(name, `Prerequisite "${prerequisite}" of "${name}" does not exist.`);
    }
  }
  const cycle = findCycle(names);
  if (cycle) critical(cycle[0] ?? '', `Prerequisites form a cycle: ${cycle.join(' → ')}.`);
  return issues;
}

/** A dependency cycle as a list of names (first repeated last), or `null`. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    const seen = state.get(node);
    if (seen === 'done') return null;
    if (seen === 'visiting') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'visiting');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (next === node || !graph.has(next)) continue;
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

/**
 * Turns a validated curriculum into the stored roadmap, assigning positional ids (`s1`, `s1-m2`, `s1-m2-c3`)
 * and resolving prerequisite names to concept ids. The ids are stable across resume because the roadmap is
 * stored once and never recomputed.
 */
export function toRoadmap(
  curriculum: Curriculum,
  details: { roadmapId: string; userId: string; goal: string; createdAt: string },
): Roadmap {
  const idsByName = new Map<string, string>();
  curriculum.stages.forEach((stage, stageIndex) => {
    stage.modules.forEach((module, moduleIndex) => {
      module.concepts.forEach((concept, conceptIndex) => {
        idsByName.set(concept.name.trim().toLowerCase(), `s${stageIndex + 1}-m${moduleIndex + 1}-c${conceptIndex + 1}`);
      });
    });
  });
  let totalHours = 0;
  const stages = curriculum.stages.map((stage, stageIndex) => ({
    stage_id: `s${stageIndex + 1}`,
    name: stage.name,
    description: stage.description,
    order: stageIndex + 1,
    modules: stage.modules.map((module, moduleIndex) => ({
      module_id: `s${stageIndex + 1}-m${moduleIndex + 1}`,
      name: module.name,
      description: module.description,
      concepts: module.concepts.map((concept, conceptIndex) => {
        totalHours += concept.estimated_hours;
        return {
          concept_id: `s${stageIndex + 1}-m${moduleIndex + 1}-c${conceptIndex + 1}`,
          name: concept.name,
          description: concept.description,
          estimated_hours: concept.estimated_hours,
          difficulty: concept.difficulty,
          prerequisites: concept.prerequisites
            .map((name) => idsByName.get(name.trim().toLowerCase()))
            .filter((id): id is string => id !== undefined),
          keywords: concept.keywords,
          tutorial_status: 'pending' as const,
          resources_status: 'pending' as const,
          quiz_status: 'pending' as const,
        };
      }),
    })),
  }));
  return {
    roadmap_id: details.roadmapId,
    user_id: details.userId,
    title: curriculum.title,
    goal: details.goal,
    stages,
    total_estimated_hours: Math.round(totalHours * 10) / 10,
    recommended_completion_weeks: curriculum.recommended_completion_weeks,
    created_at: details.createdAt,
  };
}
