/**
 * `@roadmap/http`: the HTTP API of Roadmap Kit (SPEC §3, §7, §8) on web standards only — one route table, the fetch
 * handler that serves it, Server-Sent Events, JWT authentication and rate limits. `@roadmap/express` binds the same
 * route table to Express.
 */
export {};
