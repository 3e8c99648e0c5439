/**
 * Next's start-up hook: starts the Roadmap Kit engine and its worker when the Node.js server boots (not in the edge
 * runtime, not while `next build` prerenders), so tasks left running by a previous process resume without waiting
 * for a first request. The route handlers get the same instance from `getRoadmapServer()`.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.NEXT_PHASE === 'phase-production-build') return;
  const { getRoadmapServer } = await import('./server/roadmapServer.js');
  await getRoadmapServer();
}
