/**
 * `@roadmap/core/internal`: helpers the Roadmap Kit adapter packages share (row mapping, domain derivations, retry
 * parsing). Not part of the public API: names here may change in any release.
 */

export * from './index.js';
