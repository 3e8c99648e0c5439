import { demoResponse } from './src/demoModel.ts';
const preferences = { learning_goal: process.argv[2] ?? 'Learn Rust', available_hours_per_week: Number(process.argv[3] ?? 10), current_level: (process.argv[4] ?? 'beginner') as 'beginner' };
const intent = demoResponse({ operation: 'intent_analysis', input: { preferences } });
const curriculum = demoResponse({ operation: 'curriculum_design', input: { preferences } });
console.log(JSON.stringify(intent, null, 1));
console.log(curriculum.title, curriculum.recommended_completion_weeks);
for (const s of curriculum.stages) { console.log('#', s.name); for (const m of s.modules) { console.log('  ##', m.name, '|', m.description); for (const c of m.concepts) console.log('    -', c.name, c.difficulty, c.estimated_hours, JSON.stringify(c.prerequisites), JSON.stringify(c.keywords)); } }
const c = curriculum.stages[1]!.modules[0]!.concepts[1]!;
const concept = { concept_id: 'c-1', name: c.name, description: c.description, difficulty: c.difficulty, keywords: c.keywords, prerequisites: c.prerequisites, stage_name: 'S', module_name: 'M', roadmap_title: curriculum.title };
const t = demoResponse({ operation: 'tutorial', input: { preferences, concept } });
console.log(t.summary); console.log(t.content);
console.log(JSON.stringify(demoResponse({ operation: 'resources', input: { preferences, concept } }), null, 1));
console.log(JSON.stringify(demoResponse({ operation: 'quiz', input: { preferences, concept } }), null, 1));
console.log(JSON.stringify(demoResponse({ operation: 'structure_review', input: { preferences, curriculum } })));
