import { parseGenerateBody } from '../validation/requestValidation.js';
import { type RouteDefinition, userOf } from './routeDefinition.js';
import { json } from './routeParameters.js';

/** Routes of usage and cost (SPEC §7): an estimate before generating, and the caller's usage of the period. */
export const usageRoutes: readonly RouteDefinition[] = [
  {
    method: 'POST',
    path: '/roadmaps/estimate',
    access: 'user',
    body: 'json',
    rateLimit: null,
    summary: 'Predict the calls, tokens and cost of a generation (the body of generate), without a model call.',
    async handle(request, { engine }) {
      return json(200, engine.estimate(parseGenerateBody(await request.readJson())));
    },
  },
  {
    method: 'GET',
    path: '/usage',
    access: 'user',
    body: 'none',
    rateLimit: null,
    summary: "What the caller's tasks of the current budget period used, and the budget.",
    async handle(request, { engine }) {
      return json(200, await engine.getUserUsage(userOf(request).userId));
    },
  },
];
