import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The fetch handler runs where Node's built-ins do not (edge runtimes, workers): this test walks its module graph
 * from `createRoadmapHandler.ts` (and the authenticators a fetch host imports beside it) — every relative import, and the workspace packages it reaches through their
 * `@roadmap/source` entries — and fails on an import of `node:*` (or a bare built-in), of `express`, or of a package
 * outside the web-standard ones listed here, and on a use of `Buffer`. Type-only imports are skipped: they vanish
 * from the build. `signJwt` (node:crypto) lives in its own file for this reason.
 */

const httpSource = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const packagesRoot = path.resolve(httpSource, '../..');
/** The handler, and what a fetch host imports beside it: the authenticators and the shared rate-limit store. */
const entries = [
  'handler/createRoadmapHandler.ts',
  'auth/authenticate.ts',
  'auth/jwksAuthenticator.ts',
  'rateLimits/redisRateLimitStore.ts',
].map((file) => path.join(httpSource, file));

/** Third-party packages the graph may import: each runs on web standards alone. */
const webStandardPackages = new Set(['jose', 'zod', 'eventemitter3', 'p-retry']);
const nodeBuiltins = new Set(['fs', 'path', 'crypto', 'http', 'https', 'net', 'stream', 'buffer', 'url', 'os', 'util']);

interface ImportEdge {
  from: string;
  specifier: string;
}

/** The value imports and re-exports of a file, read with the TypeScript parser (type-only ones left out). */
function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  return source.statements.flatMap((statement) => {
    if (ts.isImportDeclaration(statement)) {
      if (statement.importClause?.isTypeOnly) return [];
      return ts.isStringLiteral(statement.moduleSpecifier) ? [statement.moduleSpecifier.text] : [];
    }
    if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.moduleSpecifier !== undefined) {
      return ts.isStringLiteral(statement.moduleSpecifier) ? [statement.moduleSpecifier.text] : [];
    }
    return [];
  });
}

/** A workspace package's TypeScript entry for `specifier` (`@roadmap/core/internal` → its `@roadmap/source`). */
function workspaceEntry(specifier: string): string | undefined {
  const [scope, name, ...rest] = specifier.split('/');
  if (scope !== '@roadmap' || name === undefined) return undefined;
  const manifest = JSON.parse(readFileSync(path.join(packagesRoot, name, 'package.json'), 'utf8')) as {
    exports: Record<string, { '@roadmap/source'?: string } | string>;
  };
  const target = manifest.exports[rest.length === 0 ? '.' : `./${rest.join('/')}`];
  const source = typeof target === 'object' ? target['@roadmap/source'] : undefined;
  return source === undefined ? undefined : path.join(packagesRoot, name, source);
}

function resolveRelative(from: string, specifier: string): string {
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.ts`, `${base}/index.ts`];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) throw new Error(`Cannot resolve ${specifier} from ${from}`);
  return found;
}

function walk(): { files: string[]; external: ImportEdge[] } {
  const seen = new Set<string>();
  const external: ImportEdge[] = [];
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('.')) queue.push(resolveRelative(file, specifier));
      else {
        const workspace = workspaceEntry(specifier);
        if (workspace !== undefined) queue.push(workspace);
        else external.push({ from: path.relative(packagesRoot, file), specifier });
      }
    }
  }
  return { files: [...seen], external };
}

describe("the fetch handler's module graph", () => {
  const { files, external } = walk();

  it('reaches the route table, the pipeline and the engine', () => {
    const relative = files.map((file) => path.relative(packagesRoot, file));
    expect(relative).toEqual(
      expect.arrayContaining([
        'http/src/routes/roadmapRouteTable.ts',
        'http/src/pipeline/routePipeline.ts',
        'http/src/auth/authenticate.ts',
        'core/src/index.ts',
      ]),
    );
    expect(relative).not.toContain('http/src/auth/signJwt.ts');
    expect(files.length).toBeGreaterThan(50);
  });

  it('imports no Node built-in, no express and only web-standard packages', () => {
    const offending = external.filter(({ specifier }) => {
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
      return specifier.startsWith('node:') || nodeBuiltins.has(name ?? '') || !webStandardPackages.has(name ?? '');
    });
    expect(offending.map(({ from, specifier }) => `${from} → ${specifier}`)).toEqual([]);
  });

  it('uses no Buffer', () => {
    const withBuffer = files.filter((file) => /\bBuffer\./.test(readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '')));
    expect(withBuffer.map((file) => path.relative(packagesRoot, file))).toEqual([]);
  });
});
