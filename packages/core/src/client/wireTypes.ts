// The wire format as `@roadmap/core/client` sees it: declared once in `domain/wire.ts`, shared with the engine and
// `@roadmap/express`. Types only: nothing here reaches the browser bundle.
export type * from '../domain/wire.js';
