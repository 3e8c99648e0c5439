import { getRoadmapServer } from '../../../../server/roadmapServer.js';

// The whole API of SPEC §3, §7 and §8 — REST and the Server-Sent Event streams — in one catch-all route handler:
// `createRoadmapHandler` matches the path itself (it serves `/api/v1`, its default base path).
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Hands the request to the process's Roadmap Kit handler (started once, see `getRoadmapServer`). */
async function handleRoadmapRequest(request: Request): Promise<Response> {
  const { handler } = await getRoadmapServer();
  return handler(request);
}

export {
  handleRoadmapRequest as DELETE,
  handleRoadmapRequest as GET,
  handleRoadmapRequest as HEAD,
  handleRoadmapRequest as OPTIONS,
  handleRoadmapRequest as PATCH,
  handleRoadmapRequest as POST,
  handleRoadmapRequest as PUT,
};
