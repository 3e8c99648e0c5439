import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The folders of `@roadmap/core` are its architecture (docs/ARCHITECTURE.md, "Core, room by room"): imports point
 * one way, from the engine down to the domain. This test reads every source file's relative imports and fails on an
 * arrow that runs back up, so the layout cannot drift from the picture in the docs.
 */

const sourceRoot = path.dirname(fileURLToPath(import.meta.url));

/** Which folders each folder may import from (its own folder always). Entry files at the root may import anything. */
const allowedImports: Record<string, readonly string[]> = {
  shared: [],
  domain: ['shared'],
  model: ['shared', 'domain'],
  storage: ['shared', 'domain'],
  queue: ['shared', 'domain'],
  client: ['shared', 'domain'],
  covers: ['shared', 'domain', 'model', 'storage'],
  demo: ['shared', 'domain', 'model'],
  engine: ['shared', 'domain', 'model', 'storage', 'queue', 'covers'],
  testing: ['shared', 'domain', 'model', 'storage', 'queue', 'covers', 'demo', 'engine', 'client'],
};

/** The browser client ships to browsers: from `domain/` it may take types only (values would pull in zod). */
const typeOnlyImports: Record<string, readonly string[]> = { client: ['domain'] };

interface ImportLine {
  file: string;
  target: string;
  typeOnly: boolean;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test(-d)?\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

function relativeImports(file: string): ImportLine[] {
  const text = readFileSync(file, 'utf8');
  const pattern = /^(import|export)\s+(type\s+)?[^;]*?from\s+'(\.[^']+)'/gms;
  return [...text.matchAll(pattern)].map((match) => ({
    file: path.relative(sourceRoot, file),
    target: path.relative(sourceRoot, path.resolve(path.dirname(file), match[3] ?? '')),
    typeOnly: match[2] !== undefined,
  }));
}

function folderOf(relativePath: string): string | undefined {
  const parts = relativePath.split(path.sep);
  return parts.length > 1 ? parts[0] : undefined;
}

const imports = sourceFiles(sourceRoot).flatMap(relativeImports);

describe('core layering', () => {
  it('reads the source tree', () => {
    expect(imports.length).toBeGreaterThan(100);
    expect(new Set(imports.map((line) => folderOf(line.file)))).toEqual(
      new Set([undefined, ...Object.keys(allowedImports)]),
    );
  });

  it('has no import that runs back up the layers', () => {
    const violations = imports
      .filter((line) => {
        const from = folderOf(line.file);
        const to = folderOf(line.target);
        if (from === undefined || from === to) return false;
        if (to === undefined) return true; // a folder importing an entry file at the root would close a cycle
        if (!(allowedImports[from] ?? []).includes(to)) return true;
        return (typeOnlyImports[from] ?? []).includes(to) && !line.typeOnly;
      })
      .map((line) => `${line.file} → ${line.target}${line.typeOnly ? ' (type)' : ''}`);
    expect(violations).toEqual([]);
  });

  it('keeps folder index files to re-exports', () => {
    const indexFiles = sourceFiles(sourceRoot).filter((file) => path.basename(file) === 'index.ts');
    for (const file of indexFiles) {
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '')
        .replace(/export\s+(type\s+)?\{[^}]*\}\s+from\s+'[^']+';/g, '')
        .replace(/export\s+(type\s+)?\*\s+from\s+'[^']+';/g, '')
        .trim();
      expect(code, path.relative(sourceRoot, file)).toBe('');
    }
  });
});
